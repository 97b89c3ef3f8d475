using Ingest.Tests.Support;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Hosting;

/// <summary>Bad configuration stops the server at start with a message that names the key.</summary>
public class OptionsValidationTests
{
    private static async Task<string> StartFailureAsync(Dictionary<string, string?> settings)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var server = await TestServer.StartAsync(settings);
        });
        return string.Join(" | ", error.Failures);
    }

    [Fact]
    public async Task A_platform_link_with_a_too_long_username_names_its_key()
    {
        var message = await StartFailureAsync(new()
        {
            ["Forwarder:Links:0:Name"] = "national",
            ["Forwarder:Links:0:Host"] = "127.0.0.1",
            ["Forwarder:Links:0:Port"] = "39990",
            ["Forwarder:Links:0:Username"] = "a-user-name-longer-than-twelve",
            ["Forwarder:Links:0:Password"] = "p",
            ["Forwarder:Links:0:PlatformCode"] = "PLATFORM000000001",
        });
        Assert.Contains("Forwarder:Links:0:Username", message);
    }

    [Fact]
    public async Task A_listener_idle_timeout_out_of_range_names_its_listener()
    {
        var message = await StartFailureAsync(new() { ["Ingest:Listeners:0:IdleTimeout"] = "00:00:00.010" });
        Assert.Contains("Ingest:Listeners:0", message);
        Assert.Contains("IdleTimeout", message);
    }

    [Fact]
    public async Task A_spool_without_a_directory_is_refused()
    {
        var message = await StartFailureAsync(new() { ["Spool:Directory"] = "" });
        Assert.Contains("Spool:Directory", message);
    }
}

/// <summary>
/// `serve` with a bad option prints one line per problem naming its key, exits 2, and starts nothing: no spool folder
/// is created, no port is bound, no "started" line is logged.
/// </summary>
public class ServePreflightTests
{
    private static async Task<(int Exit, string[] Lines, bool SpoolCreated)> ServeAsync(params string[] options)
    {
        var spool = Path.Combine(Path.GetTempPath(), "ingest-tests", Guid.NewGuid().ToString("N"));
        var error = new StringWriter();
        var args = new List<string> { "serve", "--spool-dir", spool, "--http", "http://127.0.0.1:0", "--listen-address", "127.0.0.1",
            "--Ingest:Listeners:1:Address=127.0.0.1", "--Ingest:Listeners:1:Port=0", "--Logging:LogLevel:Default=Warning",
            "--ClickHouse:Endpoint=", "--Redis:Endpoint=" };
        args.AddRange(options);
        int exit = await Ingest.Tools.IngestCommandLine.RunAsync([.. args], TextWriter.Null, error);
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (exit, lines, Directory.Exists(spool));
    }

    [Theory]
    [InlineData("--port", "99999", "Ingest:Listeners:0")]
    [InlineData("--clickhouse", "not-a-url", "ClickHouse:Endpoint")]
    [InlineData("--redis", "::bad::", "Redis:Endpoint")]
    [InlineData("--http", "notaurl", "Ingest:HttpUrl")]
    public async Task A_bad_option_is_one_line_naming_its_key_and_exit_2_before_anything_starts(string option, string value, string key)
    {
        var (exit, lines, spoolCreated) = await ServeAsync(option, value);
        Assert.Equal(2, exit);
        var line = Assert.Single(lines);
        Assert.StartsWith("ingest: configuration refused: ", line);
        Assert.Contains(key, line);
        Assert.False(spoolCreated);
    }

    [Fact]
    public async Task A_busy_port_is_one_line_naming_the_listener()
    {
        using var busy = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        int port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;
        var (exit, lines, spoolCreated) = await ServeAsync("--port", port.ToString());
        Assert.Equal(2, exit);
        var line = Assert.Single(lines);
        Assert.Contains("Ingest:Listeners:0:Port", line);
        Assert.Contains("already in use", line);
        Assert.False(spoolCreated);
    }
}
