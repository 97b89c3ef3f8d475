using Ingest.Sinks.ClickHouse;

namespace Ingest.Tests.Sinks.ClickHouse;

public sealed class SqlLiteralTests
{
    [Theory]
    [InlineData("LSVAU2180N2183294", "'LSVAU2180N2183294'")]
    [InlineData("it's", @"'it\'s'")]
    [InlineData(@"back\slash", @"'back\\slash'")]
    [InlineData(@"\'", @"'\\\''")]
    [InlineData("nul\0tab\t", @"'nul\x00tab\x09'")]
    [InlineData("唐", "'唐'")]
    public void Strings_are_quoted_with_quote_backslash_and_control_characters_escaped(string value, string expected) =>
        Assert.Equal(expected, SqlLiteral.Quote(value));

    [Theory]
    [InlineData("telematics")]
    [InlineData("test_0123abc")]
    [InlineData("_x")]
    public void Plain_identifiers_are_back_quoted(string name) => Assert.Equal($"`{name}`", SqlLiteral.Identifier(name));

    [Theory]
    [InlineData("tele`matics")]
    [InlineData("db.table")]
    [InlineData("1abc")]
    [InlineData("")]
    [InlineData("a b")]
    public void Other_identifiers_are_rejected(string name) => Assert.Throws<ArgumentException>(() => SqlLiteral.Identifier(name));

    [Fact]
    public void Times_are_unix_seconds_so_the_server_time_zone_does_not_matter() =>
        Assert.Equal("toDateTime(1700000000)", SqlLiteral.DateTime(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).ToOffset(TimeSpan.FromHours(8))));
}
