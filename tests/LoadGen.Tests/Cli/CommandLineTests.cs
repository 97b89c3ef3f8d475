using System.Text.Json;
using LoadGen.Checks;
using LoadGen.Cli;
using LoadGen.Fleet;
using LoadGen.Sink;

namespace LoadGen.Tests.Cli;

public class CommandLineTests
{
    private static IReadOnlyList<string> Errors(params string[] args) =>
        LoadGenCommandLine.Create().Parse(args).Errors.Select(e => e.Message).ToList();

    [Theory]
    [InlineData("fleet", "--target", "10.0.0.1:32960")]
    [InlineData("fleet", "--hj1239-target", "192.168.1.2:12390")]
    [InlineData("fleet", "--sources", "10.0.0.2-10.0.0.3")]
    [InlineData("platform", "--listen", "0.0.0.0:20000")]
    [InlineData("sink", "--listen", "172.16.0.1:32960")]
    public void Non_loopback_addresses_are_usage_errors(params string[] args)
    {
        Assert.Contains(Errors(args), e => e.Contains("Refusing"));
    }

    [Theory]
    [InlineData("500ms", 0.5)]
    [InlineData("10s", 10)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("2.5", 2.5)]
    [InlineData("00:01:30", 90)]
    public void Durations_read_with_units(string text, double seconds)
    {
        Assert.True(OptionParsers.TryParseDuration(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("10x")]
    public void Bad_durations_are_refused(string text)
    {
        Assert.False(OptionParsers.TryParseDuration(text, out _, out _));
    }

    [Theory]
    [InlineData("login,realtime,0x07", new byte[] { 0x01, 0x02, 0x07 })]
    [InlineData("02,03", new byte[] { 0x02, 0x03 })]
    public void Command_lists_read_by_name_or_hex(string text, byte[] expected)
    {
        Assert.True(OptionParsers.TryParseCommands(text, out var commands, out var error), error);
        Assert.Equal(expected, commands.Order());
    }

    [Fact]
    public void A_valid_fleet_command_line_parses_without_errors()
    {
        Assert.Empty(Errors("fleet", "-t", "127.0.0.1:32960", "-n", "20000", "--protocols", "gb2016=3,hj1239=1", "--interval", "10s",
            "--gap-every", "5m", "--frames", "100000", "--sources", "127.0.0.2-127.0.0.5", "--gb2016-info", "01,02,08",
            "--check-clickhouse", "http://127.0.0.1:18123", "--json"));
    }

    [Fact]
    public async Task The_json_report_of_a_real_run_is_well_formed()
    {
        await using var sink = SinkServer.Start(new SinkOptions());
        var report = await FleetRunner.RunAsync(new FleetOptions
        {
            Terminals = 5, Target = sink.EndPoint, RealtimeInterval = TimeSpan.FromMilliseconds(200), Duration = TimeSpan.FromSeconds(1), Seed = 1,
        });
        var check = StorageCheckResult.Compare("t", report.Terminals, [0x02], new Dictionary<string, long>(), duplicatesAllowed: false, TimeSpan.Zero);

        using var json = JsonDocument.Parse(new FleetOutput(report.Clean, report, check, null).ToJson());

        var root = json.RootElement;
        // The shape is under test, not the run: on a loaded machine a login may time out and the run is not clean.
        Assert.Equal(report.Clean, root.GetProperty("passed").GetBoolean());
        Assert.Equal(report.Counters.FramesSent, root.GetProperty("report").GetProperty("counters").GetProperty("framesSent").GetInt64());
        Assert.True(root.GetProperty("report").GetProperty("latency").GetProperty("count").GetInt64() > 0);
        Assert.False(root.GetProperty("report").TryGetProperty("terminals", out _));
        Assert.False(root.GetProperty("clickHouse").GetProperty("passed").GetBoolean());
    }
}
