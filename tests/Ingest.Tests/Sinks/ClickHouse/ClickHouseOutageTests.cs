using Ingest.Sinks.ClickHouse;
using Ingest.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ingest.Tests.Sinks.ClickHouse;

/// <summary>Crashes and restarts a ClickHouse of its own (never the shared one) while the sink runs.</summary>
public sealed class ClickHouseOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ClickHouse_killed_mid_run_then_restarted_ends_with_every_record_stored_exactly_once()
    {
        await using var server = await PrivateService.StartClickHouseAsync();
        await using var db = await ClickHouseTestDatabase.CreateAsync(server.ClickHouseEndpoint, o =>
        {
            o.BatchRows = 2_000;
            o.FlushInterval = TimeSpan.FromMilliseconds(50);
            o.MinRetryDelay = TimeSpan.FromMilliseconds(50);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(500);
            o.RequestTimeout = TimeSpan.FromSeconds(5);
        });
        var spool = new InMemorySpool();
        using var meters = new TestMeterFactory();
        var sink = ClickHouseSinkTests.NewSink(db, spool, new SyntheticRowProjector(), meters, new TestOutputLogger<ClickHouseSink>(output));
        await sink.StartAsync(CancellationToken.None);
        using var stopAppending = new CancellationTokenSource();
        try
        {
            // Records keep arriving the whole time, so the crash lands between or inside inserts.
            var appender = Task.Run(async () =>
            {
                for (int i = 0; !stopAppending.IsCancellationRequested; i += 20)
                {
                    await ClickHouseSinkTests.AppendAsync(spool, i, 20);
                    await Task.Delay(10);
                }
            });
            await Eventually.TrueAsync(() => spool.CommittedOffset(ClickHouseSink.ConsumerName) >= 1_000, "first records stored");

            await server.KillAsync();
            await Eventually.TrueAsync(() => sink.ConsecutiveFailures >= 2, "sink notices the outage and backs off");
            long committedWhileDown = spool.CommittedOffset(ClickHouseSink.ConsumerName);
            await Task.Delay(300);
            Assert.Equal(committedWhileDown, spool.CommittedOffset(ClickHouseSink.ConsumerName));

            await server.StartAgainAsync();
            await Task.Delay(200);
            await stopAppending.CancelAsync();
            await appender;
            long total = spool.NextOffset;
            await Eventually.TrueAsync(() => spool.CommittedOffset(ClickHouseSink.ConsumerName) == total,
                $"all {total} records committed after the restart");

            var expected = SyntheticRowProjector.ExpectedCounts(total);
            Assert.True(total > committedWhileDown, "records arrived during the outage");
            Assert.Equal(expected.Frames, await db.CountAsync("frames_raw"));
            Assert.Equal(expected.Frames, await db.ScalarAsync($"SELECT uniqExact(spool_offset) FROM {db.Database.Qualified("frames_raw")}"));
            Assert.Equal(total - 1, await db.ScalarAsync($"SELECT max(spool_offset) FROM {db.Database.Qualified("frames_raw")}"));
            Assert.Equal(expected.Samples, await db.CountAsync("vehicle_samples"));
            Assert.Equal(expected.Emissions, await db.CountAsync("emission_samples"));
            Assert.Equal(expected.Sessions, await db.CountAsync("sessions"));
        }
        finally
        {
            await stopAppending.CancelAsync();
            await sink.StopAsync(CancellationToken.None);
        }
    }
}
