using Ingest.Sinks.ClickHouse;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Sinks.ClickHouse;

public sealed class ClickHouseServerVersionTests
{
    [Theory]
    [InlineData("18.16.1", 18, 16, 1)]
    [InlineData("24.8.4.13\n", 24, 8, 4)]
    [InlineData("25.3", 25, 3, 0)]
    public void Version_text_parses(string text, int major, int minor, int patch)
    {
        Assert.True(ClickHouseServerVersion.TryParse(text, out var version));
        Assert.Equal(new ClickHouseServerVersion(major, minor, patch), version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("18")]
    [InlineData("v18.16")]
    public void Other_text_is_not_a_version(string text) => Assert.False(ClickHouseServerVersion.TryParse(text, out _));

    [Fact]
    public void Debian_12_server_is_supported_but_lacks_the_newer_features()
    {
        var debian = new ClickHouseServerVersion(18, 16, 1);

        Assert.True(debian.IsSupported);
        Assert.False(debian.HasLowCardinality);
        Assert.False(debian.HasQueryParameters);
        Assert.False(debian.HasDateTime64);
        Assert.False(new ClickHouseServerVersion(18, 14, 0).IsSupported);
        Assert.True(new ClickHouseServerVersion(24, 8, 0).HasInsertDeduplicationToken);
    }

    [Fact]
    public void Default_options_are_valid_and_an_endpoint_must_be_an_http_url()
    {
        var validators = new IValidateOptions<ClickHouseOptions>[] { new ClickHouseOptionsValidator(), new ClickHouseOptionsEndpointValidator() };

        Assert.All(validators, v => Assert.True(v.Validate(null, new ClickHouseOptions { Endpoint = "http://127.0.0.1:18123" }).Succeeded));
        Assert.True(validators[1].Validate(null, new ClickHouseOptions { Endpoint = "tcp://host:9000" }).Failed);
        Assert.True(validators[0].Validate(null, new ClickHouseOptions { Database = "bad-name" }).Failed);
        Assert.True(validators[0].Validate(null, new ClickHouseOptions { BatchRows = 0 }).Failed);
        Assert.True(validators[0].Validate(null, new ClickHouseOptions { FlushInterval = TimeSpan.Zero }).Failed);
    }
}
