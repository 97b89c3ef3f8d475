using Ingest.Records;
using Ingest.Sessions;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Sessions;

/// <summary>
/// Input that never completes a frame: a trickle of bytes (slowloris) and a corrupted length field. The clock is the
/// test's (<see cref="ManualTimeProvider"/>); the real idle sweep reads it every 100 ms, so nothing here sleeps for
/// the timeouts themselves.
/// </summary>
[Collection(Ingest.Tests.SystemTests.ProcessWideMetrics.Name)]
public class StalledInputTests
{
    private const string Vin = "LZYTUGEW5G1059545";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static Task<TestServer> StartAsync(ManualTimeProvider clock, Dictionary<string, string?>? settings = null) =>
        TestServer.StartAsync(settings, services: s => s.AddSingleton<TimeProvider>(clock));

    private static TerminalSession OnlySession(TestServer server) =>
        Assert.Single(server.Services.GetRequiredService<SessionRegistry>().Sessions);

    [Fact]
    public async Task A_byte_now_and_then_that_never_makes_a_frame_is_closed_after_the_idle_timeout()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(clock); // IdleTimeout 3 min, PartialFrameTimeout 30 s (defaults)
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await Eventually.TrueAsync(() => server.Services.GetRequiredService<SessionRegistry>().Count == 1, "session registered", Wait);
        var login = Frames.Login(Vin);

        for (int i = 0; i < 4; i++) // bytes at 0, 50, 100 and 150 s: each read is "activity", none completes a frame
        {
            await terminal.SendAsync(login[i..(i + 1)]);
            await Eventually.TrueAsync(() => OnlySession(server).BytesRead == i + 1, $"byte {i + 1} read", Wait);
            if (i < 3)
            {
                clock.Advance(TimeSpan.FromSeconds(50));
            }
        }
        Assert.Null(OnlySession(server).CloseReason); // 150 s without a frame: still within the idle timeout

        clock.Advance(TimeSpan.FromSeconds(40)); // 190 s since the connection opened, 40 s since the last byte

        Assert.True(await terminal.WaitForCloseAsync(Wait));
        Assert.Equal(1, TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_connections_closed", "reason=\"idle\""));
    }

    [Fact]
    public async Task After_the_partial_frame_timeout_a_corrupted_length_is_abandoned_and_the_good_frame_behind_it_is_acknowledged()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(clock, new() { ["Ingest:Listeners:0:PartialFrameTimeout"] = "00:00:30" });
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await terminal.SendAsync(Frames.Login(Vin));
        Assert.NotNull(await terminal.ReadFrameAsync(Wait));
        var corrupted = Frames.Realtime(Vin);
        corrupted[22] = 0x07; // declares 0x07xx bytes: plausible (under MaxFrameBytes), so the framer waits for them
        var good = Frames.Realtime(Vin);

        await terminal.SendAsync([.. corrupted, .. good]);
        await Eventually.TrueAsync(() => OnlySession(server).BytesRead == Frames.Login(Vin).Length + corrupted.Length + good.Length,
            "both frames read", Wait);
        Assert.Null(await terminal.ReadFrameAsync(TimeSpan.FromMilliseconds(300))); // stalled behind the corrupted length
        clock.Advance(TimeSpan.FromSeconds(31));

        var reply = await terminal.ReadFrameAsync(Wait);

        Assert.NotNull(reply);
        Assert.Equal(0x02, reply[2]);
        var stored = (await server.ReadSpoolAsync(expectAtLeast: 2)).Select(r =>
        {
            Assert.True(FrameEnvelope.TryRead(r.Payload, out var e));
            return e.Frame.ToArray();
        }).ToList();
        Assert.Equal([Frames.Login(Vin), good], stored);
        Assert.Equal(1, TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_decode_errors", "kind=\"abandoned\""));
        Assert.Null(OnlySession(server).CloseReason); // the connection survives
    }
}
