using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using LoadGen.Frames;
using LoadGen.Vehicles;

namespace Ingest.Tests.SystemTests;

/// <summary>Live state in Redis as a terminal's frames reach it through the whole server.</summary>
public sealed class LiveStateTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A terminal back from a coverage gap sends its current data and then the missed data as reissue (0x03): the
    /// state must keep the current data (Redis README: "reissued or replayed data never roll state back").
    /// </summary>
    [Theory]
    [InlineData(TerminalProtocol.Gb2016)]
    [InlineData(TerminalProtocol.Gb2025)]
    [InlineData(TerminalProtocol.Hj1239)]
    public async Task A_reissue_sent_after_live_data_does_not_roll_back_the_live_state(TerminalProtocol protocol)
    {
        await using var redis = await RedisTestStore.CreateAsync();
        await using var server = await TestServer.StartAsync(SystemSettings.For(SystemSettings.UniqueNode("state"), redis: redis));
        string vin = VinGenerator.ForSeed(Random.Shared.Next()).Create(0);
        var frames = TerminalFrames.Build(protocol, vin, new FrameShape { CellCount = 12, ProbeCount = 4 }, seed: 7);
        await using var terminal = await TestTerminal.ConnectAsync(server.Port(protocol == TerminalProtocol.Hj1239 ? 1 : 0));
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var live = now.AddMinutes(-10);

        frames.Login.Stamp(now, 1);
        await SendAndAwaitReplyAsync(terminal, frames.Login.Span.ToArray());                            // spool record 0
        frames.Data.Stamp(Commands.Realtime, live, live, 2);
        await SendAndAwaitReplyAsync(terminal, frames.Data.Span.ToArray());                             // record 1: live data
        frames.Data.Stamp(Commands.Reissue, now, now.AddHours(-2), 3);
        await SendAndAwaitReplyAsync(terminal, frames.Data.Span.ToArray());                             // record 2: two hours old

        var records = await server.ReadSpoolAsync(expectAtLeast: 3);
        Assert.Equal(3, records.Count);
        await Eventually.TrueAsync(() => server.Spool.GetStats().ConsumerOffsets.GetValueOrDefault("redis") == records[2].NextOffset,
            "the state sink applied all three frames", TimeSpan.FromSeconds(20));
        var state = await redis.Store.GetAsync(vin, CancellationToken.None);
        Assert.NotNull(state);
        Assert.Equal(live, state.DeviceTime);
        Assert.Equal(records[1].Offset, state.SpoolOffset); // the telemetry is the live frame's, not the reissue's
    }

    /// <summary>
    /// A terminal that drops its connection without a logout (coverage lost, power cut) must not stay online for ever:
    /// the server's state sweep marks it offline after Redis:OfflineAfter of silence.
    /// </summary>
    [Fact]
    public async Task A_vehicle_that_drops_without_a_logout_is_marked_offline_after_OfflineAfter()
    {
        await using var redis = await RedisTestStore.CreateAsync();
        var settings = SystemSettings.For(SystemSettings.UniqueNode("offline"), redis: redis);
        settings["Redis:OfflineAfter"] = "00:00:01";
        settings["Redis:SweepInterval"] = "00:00:00.100";
        await using var server = await TestServer.StartAsync(settings);
        string vin = VinGenerator.ForSeed(Random.Shared.Next()).Create(0);
        await using (var terminal = await TestTerminal.ConnectAsync(server.Port()))
        {
            await SendAndAwaitReplyAsync(terminal, Ingest.Tests.Support.Frames.Login(vin));
        }
        await Eventually.TrueAsync(async () => (await redis.Store.GetAsync(vin, CancellationToken.None))?.Online == true,
            "the login reached the state", TimeSpan.FromSeconds(20));

        // The connection is gone and nothing else arrives: no logout, no close reported to the state.
        await Eventually.TrueAsync(async () => (await redis.Store.GetAsync(vin, CancellationToken.None))?.Online == false,
            "the sweep marks the silent vehicle offline", TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(vin, (await redis.Store.ListOnlineAsync(100, CancellationToken.None)).Select(s => s.Vin));
        Assert.Null(await redis.Db.SortedSetScoreAsync(redis.Store.Keys.Online(vin), vin));
    }

    private static async Task SendAndAwaitReplyAsync(TestTerminal terminal, byte[] frame)
    {
        await terminal.SendAsync(frame);
        var reply = await terminal.ReadFrameAsync(Wait);
        Assert.NotNull(reply);
        Assert.Equal(frame[2], reply[2]);
    }
}
