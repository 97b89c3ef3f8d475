using System.Net;
using LoadGen.Fleet;
using LoadGen.Safety;

namespace LoadGen.Tests.Safety;

public class LoopbackGuardTests
{
    [Theory]
    [InlineData("127.0.0.1:32960", "127.0.0.1", 32960)]
    [InlineData("127.255.3.9:1", "127.255.3.9", 1)]
    [InlineData("localhost:8080", "127.0.0.1", 8080)]
    [InlineData("[::1]:32960", "::1", 32960)]
    [InlineData("[::ffff:127.0.0.5]:7", "127.0.0.5", 7)]
    public void Loopback_endpoints_are_accepted(string text, string address, int port)
    {
        Assert.True(LoopbackGuard.TryParseEndpoint(text, out var endpoint, out var error), error);
        Assert.Equal(IPAddress.Parse(address), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("10.0.0.1:32960", "Refusing")]
    [InlineData("192.168.1.10:32960", "Refusing")]
    [InlineData("172.16.0.1:32960", "Refusing")]
    [InlineData("8.8.8.8:53", "Refusing")]
    [InlineData("0.0.0.0:32960", "Refusing")]
    [InlineData("[::ffff:10.0.0.1]:1", "Refusing")]
    [InlineData("[2001:db8::1]:1", "Refusing")]
    [InlineData("example.com:80", "not an IP address")]
    [InlineData("127.0.0.1", "HOST:PORT")]
    [InlineData("127.0.0.1:0", "port")]
    [InlineData("127.0.0.1:70000", "port")]
    public void Anything_else_is_refused_with_a_reason(string text, string reason)
    {
        Assert.False(LoopbackGuard.TryParseEndpoint(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData("http://127.0.0.1:18123", true)]
    [InlineData("http://localhost:8123/", true)]
    [InlineData("http://[::1]:8123", true)]
    [InlineData("http://10.1.2.3:8123", false)]
    [InlineData("http://clickhouse.internal:8123", false)]
    [InlineData("https://127.0.0.1:8443", false)]
    public void Only_loopback_http_urls_pass(string url, bool passes)
    {
        Assert.Equal(passes, LoopbackGuard.TryCheckUrl(url, out _, out _));
    }

    [Fact]
    public async Task A_fleet_aimed_off_the_machine_is_refused_before_any_socket_opens()
    {
        var options = new FleetOptions { Target = new IPEndPoint(IPAddress.Parse("192.168.0.10"), 32960), Duration = TimeSpan.FromSeconds(1) };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => FleetRunner.RunAsync(options));

        Assert.Contains("Refusing target 192.168.0.10:32960", error.Message);
    }

    [Fact]
    public void Per_protocol_targets_and_source_addresses_are_checked_too()
    {
        var options = new FleetOptions
        {
            ProtocolTargets = new Dictionary<LoadGen.Frames.TerminalProtocol, IPEndPoint> { [LoadGen.Frames.TerminalProtocol.Hj1239] = new(IPAddress.Parse("10.0.0.2"), 1) },
            SourceAddresses = [IPAddress.Parse("10.0.0.3")],
        };

        var problems = options.Validate();

        Assert.Contains(problems, p => p.Contains("hj1239 target 10.0.0.2:1"));
        Assert.Contains(problems, p => p.Contains("source address 10.0.0.3"));
    }

    [Fact]
    public void Servers_refuse_to_listen_off_loopback()
    {
        Assert.Throws<ArgumentException>(() => LoadGen.Sink.SinkServer.Start(new LoadGen.Sink.SinkOptions { EndPoint = new IPEndPoint(IPAddress.Any, 0) }));
        Assert.Throws<ArgumentException>(() => LoadGen.Platform.PlatformServer.Start(new LoadGen.Platform.PlatformOptions { EndPoint = new IPEndPoint(IPAddress.Any, 0) }));
    }

    [Theory]
    [InlineData("127.0.0.2-127.0.0.4", new[] { "127.0.0.2", "127.0.0.3", "127.0.0.4" })]
    [InlineData("127.0.0.2,127.0.1.9", new[] { "127.0.0.2", "127.0.1.9" })]
    [InlineData("127.0.0.255-127.0.1.1", new[] { "127.0.0.255", "127.0.1.0", "127.0.1.1" })]
    public void Source_address_lists_and_ranges_parse(string text, string[] expected)
    {
        Assert.True(FleetRunner.TryParseSourceAddresses(text, out var addresses, out var error), error);
        Assert.Equal(expected, addresses.Select(a => a.ToString()));
    }

    [Theory]
    [InlineData("10.0.0.2-10.0.0.4")]
    [InlineData("127.0.0.9-127.0.0.2")]
    [InlineData("127.0.0.1-127.1.0.0")]
    public void Bad_source_ranges_are_refused(string text)
    {
        Assert.False(FleetRunner.TryParseSourceAddresses(text, out _, out _));
    }
}
