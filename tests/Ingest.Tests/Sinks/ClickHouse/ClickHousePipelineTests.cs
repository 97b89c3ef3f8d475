using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Spool;
using Ingest.Tests.Infrastructure;

namespace Ingest.Tests.Sinks.ClickHouse;

/// <summary>
/// Pipelined flushes: ClickHouse's answer to the first batch (spool offset 0 only, BatchRows = 1) is held by a relay,
/// so what the sink does meanwhile shows without any timing.
/// </summary>
public sealed class ClickHousePipelineTests
{
    private const int Records = 40;
    private const string FirstBatchMarker = "ingest-frames_raw-0-0-";

    [Fact]
    public async Task The_next_batch_is_read_and_projected_while_the_first_insert_is_in_flight()
    {
        var services = await TestServices.GetAsync();
        await using var proxy = GatedTcpProxy.Start(services.ClickHouse, FirstBatchMarker, bytesBeforeGate: 0);
        await using var db = await ClickHouseTestDatabase.CreateAsync(proxy.Endpoint, o => o.BatchRows = 1);
        var spool = new InMemorySpool();
        await ClickHouseSinkTests.AppendAsync(spool, 0, Records);
        var projector = new CountingProjector();
        using var meters = new TestMeterFactory();
        var sink = ClickHouseSinkTests.NewSink(db, spool, projector, meters);

        await sink.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => proxy.MarkedConnections > 0, "the first batch's insert is sent and held");
            // Batch 1 (offset 1) is read and projected although batch 0's insert has not returned; nothing further is
            // read, because at most one batch is in flight and batch 1 waits for it.
            await Eventually.TrueAsync(() => projector.Projected(1) == 1, "the next batch is projected while the first is in flight");
            Assert.Equal(0, projector.Projected(2));
            Assert.Equal(0, spool.CommittedOffset(ClickHouseSink.ConsumerName));
            Assert.Equal(0, sink.CommittedOffset);

            proxy.Open();
            await Eventually.TrueAsync(() => spool.CommittedOffset(ClickHouseSink.ConsumerName) == Records, $"all {Records} records committed");
        }
        finally
        {
            proxy.Open();
            await sink.StopAsync(CancellationToken.None);
        }

        await AssertStoredExactlyOnceAsync(db);
        Assert.Equal(Records, sink.CommittedOffset);
        Assert.All(Enumerable.Range(0, Records), offset => Assert.Equal(1, projector.Projected(offset)));
    }

    [Fact]
    public async Task A_failed_insert_discards_the_batch_being_built_rewinds_and_stores_everything_exactly_once()
    {
        var services = await TestServices.GetAsync();
        await using var proxy = GatedTcpProxy.Start(services.ClickHouse, FirstBatchMarker, bytesBeforeGate: 0);
        await using var db = await ClickHouseTestDatabase.CreateAsync(proxy.Endpoint, o =>
        {
            o.BatchRows = 1;
            o.RequestTimeout = TimeSpan.FromSeconds(2); // the held answer makes batch 0's insert fail
            o.MinRetryDelay = TimeSpan.FromMilliseconds(20);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(100);
        });
        var spool = new InMemorySpool();
        await ClickHouseSinkTests.AppendAsync(spool, 0, Records);
        var projector = new CountingProjector();
        using var meters = new TestMeterFactory();
        var sink = ClickHouseSinkTests.NewSink(db, spool, projector, meters);

        await sink.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => sink.ConsecutiveFailures > 0, "batch 0's insert fails");
            proxy.Open();
            await Eventually.TrueAsync(() => spool.CommittedOffset(ClickHouseSink.ConsumerName) == Records, $"all {Records} records committed after the retry");
        }
        finally
        {
            proxy.Open();
            await sink.StopAsync(CancellationToken.None);
        }

        await AssertStoredExactlyOnceAsync(db);
        // Offset 1 was built into the next batch while batch 0 was in flight, discarded at the failure and read again
        // after the rewind (a retry may be held once more before the relay opens, hence "at least").
        Assert.True(projector.Projected(1) >= 2, $"offset 1 projected {projector.Projected(1)} times");
        Assert.True(projector.Projected(0) >= 2, $"offset 0 projected {projector.Projected(0)} times");
        Assert.Equal(1, projector.Projected(Records - 1));
    }

    private static async Task AssertStoredExactlyOnceAsync(ClickHouseTestDatabase db)
    {
        var expected = SyntheticRowProjector.ExpectedCounts(Records);
        Assert.Equal(expected.Frames, await db.CountAsync("frames_raw"));
        Assert.Equal(expected.Frames, await db.ScalarAsync($"SELECT uniqExact(spool_offset) FROM {db.Database.Qualified("frames_raw")} FINAL"));
        Assert.Equal(expected.Samples, await db.CountAsync("vehicle_samples"));
        Assert.Equal(expected.Emissions, await db.CountAsync("emission_samples"));
        Assert.Equal(expected.Sessions, await db.CountAsync("sessions"));
    }

    /// <summary>Projects like <see cref="SyntheticRowProjector"/> and counts how often each spool offset was projected.</summary>
    private sealed class CountingProjector : IClickHouseRowProjector
    {
        private readonly SyntheticRowProjector _inner = new();
        private readonly int[] _projected = new int[Records];

        public int Projected(int offset) => Volatile.Read(ref _projected[offset]);

        public void Project(in SpoolRecord record, ClickHouseRowBuffers rows)
        {
            _inner.Project(record, rows);
            Interlocked.Increment(ref _projected[record.Offset]);
        }
    }
}
