using System.Net;
using System.Text.Json;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;

namespace Ingest.Tests.Http;

/// <summary>The HTTP surface of a server with no ClickHouse and no Redis: health, readiness, in-process state, OpenAPI.</summary>
public class HttpSurfaceTests
{
    [Fact]
    public async Task Health_readiness_and_openapi_answer_and_readiness_shows_the_spool()
    {
        await using var server = await TestServer.StartAsync();
        using var http = await server.CreateHttpClientAsync();

        Assert.Equal("ok", await http.GetStringAsync("/healthz"));
        using var ready = JsonDocument.Parse(await http.GetStringAsync("/readyz"));
        Assert.True(ready.RootElement.GetProperty("ready").GetBoolean());
        Assert.False(ready.RootElement.GetProperty("spool").GetProperty("full").GetBoolean());
        Assert.StartsWith("not configured", ready.RootElement.GetProperty("clickhouse").GetString());
        using var openApi = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        Assert.True(openApi.RootElement.GetProperty("paths").TryGetProperty("/vehicles/{vin}/state", out _));
    }

    [Fact]
    public async Task Readyz_reports_each_consumer_loop_with_its_state_cursor_and_last_error()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.HttpBase };

        await Eventually.TrueAsync(async () =>
        {
            using var ready = JsonDocument.Parse(await http.GetStringAsync("/readyz"));
            return ready.RootElement.GetProperty("consumers").TryGetProperty("redis", out var redis)
                && redis.GetProperty("state").GetString() == "caught_up"
                && redis.GetProperty("committed_offset").GetInt64() >= 0
                && redis.GetProperty("consecutive_failures").GetInt32() == 0
                && redis.GetProperty("last_error").ValueKind == JsonValueKind.Null;
        }, "the in-process state consumer shows as caught up on /readyz");
    }

    [Fact]
    public async Task Readyz_says_an_unreachable_clickhouse_is_failing_and_stays_ready()
    {
        // Nothing listens on port 1: the sink's schema check fails and its loop retries.
        await using var server = await TestServer.StartAsync(new() { ["ClickHouse:Endpoint"] = "http://127.0.0.1:1" });
        using var http = new HttpClient { BaseAddress = server.HttpBase };

        await Eventually.TrueAsync(async () =>
        {
            using var ready = JsonDocument.Parse(await http.GetStringAsync("/readyz"));
            return ready.RootElement.GetProperty("ready").GetBoolean()
                && ready.RootElement.GetProperty("clickhouse").GetString()!.StartsWith("failing: ", StringComparison.Ordinal)
                && ready.RootElement.GetProperty("redis").GetString()!.StartsWith("not configured", StringComparison.Ordinal);
        }, "/readyz names the failing ClickHouse and is still ready");
    }

    [Fact]
    public async Task Without_redis_a_vehicles_state_is_kept_in_process_and_served_over_http()
    {
        await using var server = await TestServer.StartAsync();
        using var http = await server.CreateHttpClientAsync();
        const string vin = "LZYTUGEW5G1059545";
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await terminal.SendAsync([.. Frames.Login(vin), .. Frames.Realtime(vin)]);
        Assert.NotNull(await terminal.ReadFrameAsync(TimeSpan.FromSeconds(5)));
        Assert.NotNull(await terminal.ReadFrameAsync(TimeSpan.FromSeconds(5)));

        HttpResponseMessage? response = null;
        for (int i = 0; i < 50; i++)
        {
            response = await http.GetAsync($"/vehicles/{vin}/state");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                break;
            }
            await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.OK, response!.StatusCode);
        using var state = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(vin, state.RootElement.GetProperty("vin").GetString());
        Assert.True(state.RootElement.GetProperty("online").GetBoolean());
        // One time convention for the HTTP surface: +08:00 (the receive time is UTC in process), '+' not escaped.
        Assert.EndsWith("+08:00", state.RootElement.GetProperty("receivedAt").GetString());
        Assert.EndsWith("+08:00", state.RootElement.GetProperty("deviceTime").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/vehicles/LNOTSEEN000000000/state")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync($"/vehicles/{vin}/frames")).StatusCode);
    }
}
