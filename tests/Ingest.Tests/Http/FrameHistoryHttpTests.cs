using System.Net;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.ClickHouse.Schema;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;

namespace Ingest.Tests.Http;

/// <summary>
/// <c>GET /vehicles/{vin}/frames</c> against a real ClickHouse, seen through a relay that can hold ClickHouse's answer
/// back: the history is streamed (a client gets frames while ClickHouse has not finished sending) and a flood of
/// history queries is refused beyond <c>Http:MaxConcurrentHistoryQueries</c> instead of filling memory.
/// </summary>
public sealed class FrameHistoryHttpTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2024, 7, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);
    private ClickHouseTestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await ClickHouseTestDatabase.CreateAsync();
        await new ClickHouseSchema(_db.Database).EnsureAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_history_larger_than_any_buffer_streams_every_row_and_the_first_frames_arrive_before_ClickHouse_has_sent_the_rest()
    {
        const string vin = "LSTREAM0000000001";
        const int rows = 20_000; // about 16 MB of ClickHouse answer and more of JSON: larger than socket, pipe and Kestrel buffers
        await InsertFramesAsync(vin, rows);
        // ClickHouse's answer to the history query is held after 64 KiB until this test has read a frame from ingest.
        await using var clickHouse = GatedTcpProxy.Start(new Uri(_db.Options.Endpoint!), vin, bytesBeforeGate: 64 * 1024);
        await using var server = await StartServerAsync(clickHouse);
        using var http = await server.CreateHttpClientAsync();
        http.Timeout = Timeout.InfiniteTimeSpan;

        using var response = await http.GetAsync(Query(vin, rows), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Hang);
        using var body = new StreamReader(await response.Content.ReadAsStreamAsync());
        // A buffering server cannot answer anything here: most of ClickHouse's answer has not reached it yet.
        var first = await body.ReadLineAsync().WaitAsync(Hang);
        bool clickHouseStillHeld = !clickHouse.IsOpen;
        clickHouse.Open();
        int count = first is null ? 0 : 1;
        while (await body.ReadLineAsync().WaitAsync(Hang) is { } line)
        {
            Assert.StartsWith("{\"index\":", line);
            count++;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.True(clickHouseStillHeld);
        Assert.Contains("\"vin\":\"LSTREAM0000000001\"", first);
        Assert.Equal(rows, count);
    }

    [Fact]
    public async Task A_history_query_beyond_the_concurrency_cap_is_refused_at_once_with_429_and_Retry_After()
    {
        const string vin = "LFLOOD00000000001";
        await InsertFramesAsync(vin, 10);
        // Every history query's answer is held by the relay: those that got a slot keep it until the relay opens.
        await using var clickHouse = GatedTcpProxy.Start(new Uri(_db.Options.Endpoint!), vin, bytesBeforeGate: 0);
        await using var server = await StartServerAsync(clickHouse, ("Http:MaxConcurrentHistoryQueries", "2"), ("Http:MaxHistoryLimit", "500"));
        using var http = await server.CreateHttpClientAsync();
        http.Timeout = Timeout.InfiniteTimeSpan;

        var running = Enumerable.Range(0, 2).Select(_ => http.GetAsync(Query(vin, 100))).ToList();
        await Eventually.TrueAsync(() => clickHouse.MarkedConnections == 2, "both history queries reached ClickHouse", Hang);
        using var refused = await http.GetAsync(Query(vin, 100)).WaitAsync(Hang);
        using var tooLarge = await http.GetAsync(Query(vin, 501)).WaitAsync(Hang);
        clickHouse.Open();
        var answered = await Task.WhenAll(running).WaitAsync(Hang);
        using var afterwards = await http.GetAsync(Query(vin, 100)).WaitAsync(Hang);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);
        foreach (var response in answered)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(10, (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            response.Dispose();
        }
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }

    [Fact]
    public async Task A_history_query_ClickHouse_cannot_answer_is_a_502_not_an_empty_200()
    {
        var settings = SystemSettings.For(SystemSettings.UniqueNode("history"), clickHouse: _db);
        settings["ClickHouse:Endpoint"] = $"http://127.0.0.1:{ServicesScript.FreePort()}/"; // nothing listens there
        await using var server = await TestServer.StartAsync(settings);
        using var http = await server.CreateHttpClientAsync();

        using var response = await http.GetAsync(Query("LNOCLICKHOUSE0001", 10)).WaitAsync(Hang);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    private static string Query(string vin, int limit) =>
        $"/vehicles/{vin}/frames?from={T0:yyyy-MM-ddTHH:mm:ssZ}&to={T0.AddDays(2):yyyy-MM-ddTHH:mm:ssZ}&limit={limit}";

    private async Task<TestServer> StartServerAsync(GatedTcpProxy clickHouse, params (string Key, string Value)[] extra)
    {
        var settings = SystemSettings.For(SystemSettings.UniqueNode("history"), clickHouse: _db);
        settings["ClickHouse:Endpoint"] = clickHouse.Endpoint.ToString();
        settings["ClickHouse:RequestTimeout"] = "00:00:30";
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return await TestServer.StartAsync(settings);
    }

    private async Task InsertFramesAsync(string vin, int count)
    {
        var frame = Frames.Realtime(vin);
        var rows = new ClickHouseRowBuffers();
        for (int i = 0; i < count; i++)
        {
            rows.FramesRaw.Add(new FrameRawRow
            {
                Node = "n", SpoolOffset = i, Vin = vin, ReceivedAt = T0.AddSeconds(i), Command = 0x02, FrameBytes = frame,
            });
        }
        await _db.Database.InsertAsync(rows.FramesRaw, "test-" + Guid.NewGuid().ToString("N"), CancellationToken.None);
    }
}
