namespace Ingest.Tests.Quality;

/// <summary>The report's rules are validated at start with the server's other options: one line naming the key, exit 2.</summary>
public sealed class QualityOptionsTests
{
    [Theory]
    [InlineData("--Quality:Gb32960:ReportInterval=00:00:01.500", "Quality:Gb32960:ReportInterval (00:00:01.5000000) must be whole seconds: frame times have a resolution of one second.")]
    [InlineData("--Quality:Hj1239:CoolantC:Min=300", "Quality:Hj1239:CoolantC: Min (300) must be a number not above Max (210).")]
    [InlineData("--Quality:MaxCountedGap=00:00:10", "Quality:MaxCountedGap (00:00:10) must be zero (no cap) or at least Gb32960:ReportInterval (00:00:30).")]
    [InlineData("--Quality:China:MinLatitude=60", "Quality:China: MinLongitude/MinLatitude must be below MaxLongitude/MaxLatitude.")]
    public async Task A_bad_rule_refuses_serve_in_one_line(string option, string message)
    {
        var spool = Path.Combine(Path.GetTempPath(), "ingest-tests", Guid.NewGuid().ToString("N"));
        var error = new StringWriter();
        int exit = await Ingest.Tools.IngestCommandLine.RunAsync(
        [
            "serve", "--spool-dir", spool, "--http", "http://127.0.0.1:0", "--listen-address", "127.0.0.1",
            "--Ingest:Listeners:1:Address=127.0.0.1", "--Ingest:Listeners:1:Port=0", "--port", "0", "--Logging:LogLevel:Default=Warning",
            "--ClickHouse:Endpoint=", "--Redis:Endpoint=", option,
        ], TextWriter.Null, error);

        Assert.Equal(2, exit);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("ingest: configuration refused: " + message, line.TrimEnd('\r'));
        Assert.False(Directory.Exists(spool));
    }
}
