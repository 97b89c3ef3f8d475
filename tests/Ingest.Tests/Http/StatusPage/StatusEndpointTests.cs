using System.Net;
using System.Net.Http;
using System.Text.Json;
using Ingest.Http.Security;
using Ingest.Http.StatusPage;
using Ingest.Registry;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Http.StatusPage;

/// <summary>GET /status and the static page at /: who may read what, and that the numbers are the node's.</summary>
public class StatusEndpointTests
{
    private const string VinA = "LSTATUS0000000001";
    private const string VinB = "LSTATUS0000000002";

    [Fact]
    public async Task The_page_loads_without_a_key_but_status_needs_one_with_state_read()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = server.HttpBase };

        using var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(StatusPageEndpoints.ContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("/ui/status.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/ui/status.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/ui/status.css")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/status")).StatusCode);
        using var registryOnly = await server.CreateHttpClientAsync(await server.CreateApiKeyAsync("t1", ApiScopes.RegistryWrite));
        Assert.Equal(HttpStatusCode.Forbidden, (await registryOnly.GetAsync("/status")).StatusCode);
        using var reader = await server.CreateHttpClientAsync(await server.CreateApiKeyAsync("t1", ApiScopes.StateRead));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/status")).StatusCode);
    }

    [Fact]
    public async Task The_page_loads_nothing_from_another_origin()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = new HttpClient { BaseAddress = server.HttpBase };
        foreach (var asset in new[] { "/", "/ui/status.js", "/ui/status.css" })
        {
            var text = await anonymous.GetStringAsync(asset);
            Assert.DoesNotContain("http://", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("https://", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("//cdn", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Status_counts_connections_and_logins_per_listener_frames_acknowledgements_and_lists_the_online_vehicles()
    {
        await using var server = await TestServer.StartAsync(SystemSettings.For(SystemSettings.UniqueNode("status")));
        using var http = await server.CreateHttpClientAsync();
        await using var a = await LoggedInAsync(server.Port(0), VinA);
        await using var b = await LoggedInAsync(server.Port(0), VinB);

        JsonElement status = default;
        await Eventually.TrueAsync(async () =>
        {
            status = await GetStatusAsync(http, "/status");
            var gb = Listener(status, "gb32960");
            return gb.GetProperty("logins").GetInt64() == 2 && gb.GetProperty("connections_active").GetInt32() == 2
                && status.GetProperty("vehicles").GetProperty("items").GetArrayLength() == 2;
        }, "two logins and two online vehicles on /status", TimeSpan.FromSeconds(30));

        var gbListener = Listener(status, "gb32960");
        Assert.Equal(server.Port(0), gbListener.GetProperty("port").GetInt32());
        Assert.Equal(2, gbListener.GetProperty("connections_opened").GetInt64());
        Assert.Equal(0, Listener(status, "hj1239").GetProperty("logins").GetInt64());
        Assert.Equal(2, status.GetProperty("sessions").GetInt32());
        // Two logins and two realtime frames, as the exported counter has them.
        Assert.Equal(4, status.GetProperty("frames").GetProperty("total").GetInt64());
        var ack = status.GetProperty("ack_latency");
        Assert.True(ack.GetProperty("acks").GetInt64() >= 2, ack.ToString());
        Assert.True(ack.GetProperty("p50_seconds").GetDouble() > 0, ack.ToString());
        Assert.True(ack.GetProperty("p99_seconds").GetDouble() >= ack.GetProperty("p50_seconds").GetDouble(), ack.ToString());
        var spool = status.GetProperty("spool");
        Assert.True(spool.GetProperty("accepting").GetBoolean());
        Assert.True(spool.GetProperty("disk_bytes").GetInt64() > 0);
        var redis = spool.GetProperty("consumers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "redis");
        Assert.True(redis.GetProperty("lag_bytes").GetInt64() >= 0);
        Assert.Empty(status.GetProperty("links").EnumerateArray());

        var found = await GetStatusAsync(http, "/status?q=" + VinB[^4..].ToLowerInvariant());
        Assert.Equal([VinB], found.GetProperty("vehicles").GetProperty("items").EnumerateArray().Select(v => v.GetProperty("vin").GetString()));
        Assert.Equal(VinB[^4..].ToLowerInvariant(), found.GetProperty("vehicles").GetProperty("query").GetString());
        var one = await GetStatusAsync(http, "/status?limit=1");
        Assert.Equal(1, one.GetProperty("vehicles").GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_tenant_key_lists_only_its_tenants_online_vehicles()
    {
        await using var server = await TestServer.StartAsync();
        await server.Services.GetRequiredService<IVehicleRegistry>().UpsertAsync([new VehicleFiling(VinA, "oem-a"), new VehicleFiling(VinB, "oem-b")]);
        await using var a = await LoggedInAsync(server.Port(), VinA);
        await using var b = await LoggedInAsync(server.Port(), VinB);
        using var admin = await server.CreateHttpClientAsync();
        await Eventually.TrueAsync(async () =>
            (await GetStatusAsync(admin, "/status")).GetProperty("vehicles").GetProperty("items").GetArrayLength() == 2,
            "both vehicles online for the admin key", TimeSpan.FromSeconds(30));

        using var tenant = await server.CreateHttpClientAsync(await server.CreateApiKeyAsync("oem-a", ApiScopes.StateRead));
        var status = await GetStatusAsync(tenant, "/status");
        Assert.Equal([VinA], status.GetProperty("vehicles").GetProperty("items").EnumerateArray().Select(v => v.GetProperty("vin").GetString()));
        Assert.Empty((await GetStatusAsync(tenant, "/status?q=" + VinB)).GetProperty("vehicles").GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_superior_link_shows_its_state_and_backlog()
    {
        var settings = SystemSettings.For(SystemSettings.UniqueNode("status-link"));
        // Nothing listens on port 1: the link keeps failing and backing off, and what arrives waits for it.
        settings["Forwarder:Links:0:Name"] = "province";
        settings["Forwarder:Links:0:Host"] = "127.0.0.1";
        settings["Forwarder:Links:0:Port"] = "1";
        settings["Forwarder:Links:0:Username"] = "ingest";
        settings["Forwarder:Links:0:Password"] = "secret-1";
        settings["Forwarder:Links:0:PlatformCode"] = "PLATFORM000000001";
        settings["Forwarder:Links:0:Filter:RelayUnfiled"] = "true";
        settings["Forwarder:Links:0:MinReconnectDelay"] = "00:00:00.100";
        settings["Forwarder:Links:0:MaxReconnectDelay"] = "00:00:00.300";
        await using var server = await TestServer.StartAsync(settings);
        using var http = await server.CreateHttpClientAsync();
        await using var a = await LoggedInAsync(server.Port(0), VinA);

        await Eventually.TrueAsync(async () =>
        {
            var status = await GetStatusAsync(http, "/status");
            var link = status.GetProperty("links").EnumerateArray().SingleOrDefault(l => l.GetProperty("name").GetString() == "province");
            return link.ValueKind == JsonValueKind.Object
                && link.GetProperty("state").GetString() is "backoff" or "connecting"
                && link.GetProperty("backlog_bytes").GetInt64() > 0
                && link.GetProperty("frames_relayed").GetInt64() == 0;
        }, "the failing link with a backlog on /status", TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData(new long[] { 0, 0, 0 }, 0.5, null)]
    [InlineData(new long[] { 10, 0, 0 }, 0.5, 0.5)] // half-way into the first bucket (0, 1]
    [InlineData(new long[] { 0, 10, 0 }, 0.5, 1.5)] // half-way into (1, 2]
    [InlineData(new long[] { 5, 5, 0 }, 0.99, 1.98)]
    [InlineData(new long[] { 0, 0, 4 }, 0.5, 2.0)] // beyond the last bound counts as the last bound
    public void Latency_quantiles_interpolate_within_a_bucket_as_prometheus_does(long[] counts, double q, double? expected)
    {
        var quantile = StatusCounters.Quantile(q, counts, [1.0, 2.0]);
        if (expected is null)
        {
            Assert.Null(quantile);
        }
        else
        {
            Assert.Equal(expected.Value, quantile!.Value, 6);
        }
    }

    private static JsonElement Listener(JsonElement status, string name) =>
        status.GetProperty("listeners").EnumerateArray().Single(l => l.GetProperty("name").GetString() == name);

    internal static async Task<JsonElement> GetStatusAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A terminal that has logged in and sent one realtime frame, both acknowledged.</summary>
    private static async Task<TestTerminal> LoggedInAsync(int port, string vin)
    {
        var terminal = await TestTerminal.ConnectAsync(port);
        await terminal.SendAsync(Frames.Login(vin));
        Assert.NotNull(await terminal.ReadFrameAsync(TimeSpan.FromSeconds(10)));
        await terminal.SendAsync(Frames.Realtime(vin));
        Assert.NotNull(await terminal.ReadFrameAsync(TimeSpan.FromSeconds(10)));
        return terminal;
    }
}
