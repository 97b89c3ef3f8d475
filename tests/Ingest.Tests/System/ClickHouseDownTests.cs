using Ingest.Spool;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Ingest.Sinks.ClickHouse;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using LoadGen.Frames;
using Xunit.Abstractions;

namespace Ingest.Tests.SystemTests;

/// <summary>
/// ClickHouse goes away under a running server (a private instance: the shared one is never stopped): terminals
/// must not notice, and what they had acknowledged must be stored exactly once when it is back.
/// </summary>
public sealed class ClickHouseDownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Terminals_stay_acknowledged_while_clickhouse_is_down_and_everything_is_stored_once_after_it_returns()
    {
        await using var clickHouse = await PrivateService.StartClickHouseAsync();
        await using var db = await ClickHouseTestDatabase.CreateAsync(clickHouse.ClickHouseEndpoint);
        await using var server = await TestServer.StartAsync(SystemSettings.For(SystemSettings.UniqueNode("chdown"), db));
        await using var fleet = RecordingFleet.Start(new RecordingFleetOptions
        {
            Terminals = [.. Enumerable.Range(0, 12).Select(i => (TerminalProtocol)(i % 3))],
            GbPort = server.Port(0),
            HjPort = server.Port(1),
            FrameInterval = TimeSpan.FromMilliseconds(20),
            // What this test proves is that no frame is refused while ClickHouse is down, not how fast answers come: a
            // CI machine restarting ClickHouse (CPU and disk) once delayed one answer past the default 5 s.
            AckTimeout = TimeSpan.FromSeconds(20),
        });
        await Eventually.TrueAsync(async () => await StoredRows.CountOrMinusOneAsync(db, "frames_raw") >= 50,
            "first frames stored before the outage", TimeSpan.FromSeconds(30));

        await clickHouse.StopAsync();
        // An insert that ClickHouse answered just before it stopped may still be committed: the cursor holds from the
        // sink's first failed attempt on.
        var sink = server.Services.GetServices<IHostedService>().OfType<ClickHouseSink>().Single();
        await Eventually.TrueAsync(() => sink.State == SpoolConsumerState.Retrying, "the sink meets the stopped ClickHouse", TimeSpan.FromSeconds(30));
        long committedWhileDown = ClickHouseCursor(server);
        long acknowledgedAtStop = fleet.Acknowledged;
        await Eventually.TrueAsync(() => fleet.Acknowledged >= acknowledgedAtStop + 300,
            "terminals acknowledged while ClickHouse is down", TimeSpan.FromSeconds(30));
        var stats = server.Spool.GetStats();
        Assert.Equal(committedWhileDown, ClickHouseCursor(server)); // nothing stored, nothing skipped
        Assert.True(stats.NextOffset > committedWhileDown, "the frames acknowledged during the outage wait in the spool");
        output.WriteLine($"outage: {fleet.Acknowledged - acknowledgedAtStop} frames acknowledged while ClickHouse was down");

        await clickHouse.StartAgainAsync();
        await Task.Delay(200); // a few frames more after the restart, then the fleet logs out
        var sent = await fleet.StopAsync();
        Assert.All(sent, f => Assert.True(f.Acknowledged, $"{f.Vin} #{f.Sequence} not acknowledged")); // the outage never reached the terminals

        var stored = await StoredRows.WaitForAcknowledgedAsync(db, sent, TimeSpan.FromSeconds(30));
        output.WriteLine(await StoredRows.DescribeRepeatsAsync(db, stored));
        StoredRows.AssertExactlyOnce(sent, stored, "frames_raw FINAL");
        await StoredRows.OptimizeFinalAsync(db, "frames_raw");
        StoredRows.AssertExactlyOnce(sent, await StoredRows.FrameDigestsAsync(db, final: false), "frames_raw after OPTIMIZE FINAL");
        Assert.Equal(sent.Count, await db.CountAsync("frames_raw"));
        output.WriteLine($"{sent.Count} frames sent and stored once");
    }

    private static long ClickHouseCursor(TestServer server) =>
        server.Spool.GetStats().ConsumerOffsets.GetValueOrDefault(ClickHouseSink.ConsumerName);
}
