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
