using System.Text;
using LoadGen.Checks;
using LoadGen.Fleet;
using LoadGen.Frames;

namespace LoadGen.Tests.Checks;

public class ClickHouseCheckTests
{
    [Fact]
    public void The_count_query_is_plain_sql_that_clickhouse_18_understands()
    {
        string sql = ClickHouseCheck.BuildCountQuery("telematics", ["LZYTBGBW6J1014194", "LA9DHKMT5HBJXK236"]);

        Assert.Equal(
            "SELECT vin, count() FROM telematics.frames_raw FINAL WHERE vin IN ('LZYTBGBW6J1014194','LA9DHKMT5HBJXK236') GROUP BY vin FORMAT TabSeparated",
            sql);
    }

    [Fact]
    public void Quotes_and_backslashes_in_values_are_escaped()
    {
        var sql = new StringBuilder();
        ClickHouseCheck.AppendStringLiteral(sql, @"a'b\c");

        Assert.Equal(@"'a\'b\\c'", sql.ToString());
    }

    [Theory]
    [InlineData("telematics", true)]
    [InlineData("t_2026", true)]
    [InlineData("_x", true)]
    [InlineData("1db", false)]
    [InlineData("db; DROP TABLE x", false)]
    [InlineData("db.frames", false)]
    [InlineData("", false)]
    public void Only_plain_database_names_are_spliced(string name, bool plain)
    {
        Assert.Equal(plain, ClickHouseCheck.IsPlainIdentifier(name));
        if (!plain)
        {
            Assert.Throws<ArgumentException>(() => ClickHouseCheck.BuildCountQuery(name, ["LZYTBGBW6J1014194"]));
        }
    }

    [Fact]
    public void An_empty_vin_list_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ClickHouseCheck.BuildCountQuery("telematics", []));
    }

    [Fact]
    public void Tab_separated_counts_are_parsed()
    {
        var counts = ClickHouseCheck.ParseCounts("LZYTBGBW6J1014194\t42\nLA9DHKMT5HBJXK236\t7\r\n\n");

        Assert.Equal(2, counts.Count);
        Assert.Equal(42, counts["LZYTBGBW6J1014194"]);
        Assert.Equal(7, counts["LA9DHKMT5HBJXK236"]);
    }

    [Fact]
    public void Empty_output_means_no_rows()
    {
        Assert.Empty(ClickHouseCheck.ParseCounts(""));
    }

    [Fact]
    public void Escaped_fields_are_unescaped()
    {
        var counts = ClickHouseCheck.ParseCounts("odd\\tvin\\\\x\t3\n");

        Assert.Equal(3, counts["odd\tvin\\x"]);
    }

    [Theory]
    [InlineData("LZYTBGBW6J1014194 42\n")]
    [InlineData("LZYTBGBW6J1014194\t-1\n")]
    [InlineData("LZYTBGBW6J1014194\tmany\n")]
    [InlineData("LZYTBGBW6J1014194\t1\t2\n")]
    [InlineData("Code: 60, e.displayText() = DB::Exception: Table telematics.frames_raw doesn't exist.\n")]
    public void Anything_but_vin_and_count_is_a_format_error(string body)
    {
        Assert.Throws<FormatException>(() => ClickHouseCheck.ParseCounts(body));
    }

    private static TerminalResult Terminal(string vin, int sent, int acked) =>
        new(vin, TerminalProtocol.Gb2016,
            new Dictionary<byte, int> { [Commands.Realtime] = sent },
            new Dictionary<byte, int> { [Commands.Realtime] = acked });

    [Fact]
    public void Every_acknowledged_frame_stored_once_passes()
    {
        var terminals = new[] { Terminal("A", 10, 10), Terminal("B", 5, 4) };
        var found = new Dictionary<string, long> { ["A"] = 10, ["B"] = 5 };

        var result = StorageCheckResult.Compare("t", terminals, [Commands.Realtime], found, duplicatesAllowed: false, TimeSpan.Zero);

        Assert.True(result.Passed);
        Assert.Equal(14, result.Acknowledged);
        Assert.Equal(15, result.Found);
        Assert.Empty(result.Examples);
    }

    [Fact]
    public void An_acknowledged_frame_that_is_not_stored_fails_and_is_named()
    {
        var terminals = new[] { Terminal("A", 10, 10), Terminal("B", 5, 5) };
        var found = new Dictionary<string, long> { ["A"] = 10 };

        var result = StorageCheckResult.Compare("t", terminals, [Commands.Realtime], found, duplicatesAllowed: false, TimeSpan.Zero);

        Assert.False(result.Passed);
        Assert.Equal(1, result.VinsMissing);
        Assert.Equal(5, result.MissingFrames);
        Assert.Equal(new VinDiscrepancy("B", 5, 5, 0), Assert.Single(result.Examples));
    }

    [Fact]
    public void More_rows_than_frames_sent_are_duplicates_which_storage_must_not_hold()
    {
        var terminals = new[] { Terminal("A", 10, 10) };
        var found = new Dictionary<string, long> { ["A"] = 12 };

        var storage = StorageCheckResult.Compare("t", terminals, [Commands.Realtime], found, duplicatesAllowed: false, TimeSpan.Zero);
        var relay = StorageCheckResult.Compare("t", terminals, [Commands.Realtime], found, duplicatesAllowed: true, TimeSpan.Zero);

        Assert.False(storage.Passed);
        Assert.Equal(2, storage.DuplicateFrames);
        Assert.True(relay.Passed);
        Assert.Equal(1, relay.VinsWithDuplicates);
    }

    [Fact]
    public async Task A_non_loopback_clickhouse_url_is_refused_without_a_request()
    {
        using var http = new HttpClient();

        var result = await ClickHouseCheck.RunAsync(http, new Uri("http://10.9.8.7:8123/"), "telematics", [Terminal("A", 1, 1)], [Commands.Realtime], TimeSpan.Zero);

        Assert.False(result.Passed);
        Assert.Contains("Refusing", result.Error);
    }

    [Fact]
    public async Task An_unreachable_clickhouse_is_reported_as_an_error()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        int closedPort = ClosedPort();

        var result = await ClickHouseCheck.RunAsync(http, new Uri($"http://127.0.0.1:{closedPort}/"), "telematics", [Terminal("A", 1, 1)], [Commands.Realtime], TimeSpan.Zero);

        Assert.False(result.Passed);
        Assert.NotNull(result.Error);
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
