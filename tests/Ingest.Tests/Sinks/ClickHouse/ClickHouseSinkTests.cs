using System.Diagnostics.Metrics;
using Ingest.Sinks.ClickHouse;
using Ingest.Spool;
using Ingest.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Sinks.ClickHouse;

public sealed class ClickHouseSinkTests
{
    [Fact]
    public async Task Every_record_reaches_every_table_and_the_cursor_is_committed()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(configure: o => o.BatchRows = 700);
        var spool = new InMemorySpool();
        await AppendAsync(spool, 0, 2_000);
        using var meters = new TestMeterFactory();
        using var rowsWritten = new RowsWrittenListener(meters);
        var sink = NewSink(db, spool, new SyntheticRowProjector(), meters);

        await sink.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => spool.CommittedOffset(ClickHouseSink.ConsumerName) == 2_000, "all 2,000 records committed");
        await sink.StopAsync(CancellationToken.None);

        var expected = SyntheticRowProjector.ExpectedCounts(2_000);
        Assert.Equal(expected.Frames, await db.CountAsync("frames_raw"));
        Assert.Equal(expected.Samples, await db.CountAsync("vehicle_samples"));
        Assert.Equal(expected.Emissions, await db.CountAsync("emission_samples"));
        Assert.Equal(expected.Sessions, await db.CountAsync("sessions"));
        Assert.Equal(expected.Frames + expected.Samples + expected.Emissions + expected.Sessions, rowsWritten.Total);
        Assert.Equal(2_000, sink.CommittedOffset);
    }

    [Fact]
    public async Task A_partial_batch_is_inserted_once_the_flush_interval_has_passed()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(configure: o =>
        {
            o.BatchRows = 1_000_000;
            o.FlushInterval = TimeSpan.FromMilliseconds(100);
        });
        var spool = new InMemorySpool();
        using var meters = new TestMeterFactory();
        var sink = NewSink(db, spool, new SyntheticRowProjector(), meters);
        await sink.StartAsync(CancellationToken.None);

        await AppendAsync(spool, 0, 3);
        await Eventually.TrueAsync(() => spool.CommittedOffset(ClickHouseSink.ConsumerName) == 3, "3 records committed without a full batch");
        await sink.StopAsync(CancellationToken.None);

        Assert.Equal(3, await db.CountAsync("frames_raw"));
    }

    [Fact]
    public async Task A_record_that_fails_to_project_holds_the_cursor_and_is_retried_not_skipped()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(configure: o =>
        {
            o.BatchRows = 50;
            o.MinRetryDelay = TimeSpan.FromMilliseconds(20);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(100);
        });
        var spool = new InMemorySpool();
        await AppendAsync(spool, 0, 200);
        var projector = new FailingOnceProjector(new SyntheticRowProjector(), failingOffset: 123, failures: 3);
        using var meters = new TestMeterFactory();
        var sink = NewSink(db, spool, projector, meters);

        await sink.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => spool.CommittedOffset(ClickHouseSink.ConsumerName) == 200, "all records committed after the retries");
        await sink.StopAsync(CancellationToken.None);

        Assert.Equal(3, projector.Failures);
        Assert.Equal(200, await db.CountAsync("frames_raw"));
        Assert.Equal(1, await db.ScalarAsync($"SELECT count() FROM {db.Database.Qualified("frames_raw")} FINAL WHERE spool_offset = 123"));
    }

    [Fact]
    public async Task Buffered_rows_are_inserted_and_committed_when_the_sink_stops()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync(configure: o =>
        {
            o.BatchRows = 1_000_000;
            o.FlushInterval = TimeSpan.FromMinutes(10);
        });
        var spool = new InMemorySpool();
        using var meters = new TestMeterFactory();
        var sink = NewSink(db, spool, new SyntheticRowProjector(), meters);
        await sink.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => sink.State == SpoolConsumerState.CaughtUp, "sink connected and caught up");

        await AppendAsync(spool, 0, 25);
        // Once read, a batch is delivered into the sink's buffers even when the stop comes during the linger.
        await Eventually.TrueAsync(() => spool.ReadOffset(ClickHouseSink.ConsumerName) == 25, "the sink read the 25 records");
        await sink.StopAsync(CancellationToken.None);

        Assert.Equal(25, spool.CommittedOffset(ClickHouseSink.ConsumerName));
        Assert.Equal(25, await db.CountAsync("frames_raw"));
    }

    internal static ClickHouseSink NewSink(ClickHouseTestDatabase db, InMemorySpool spool, IClickHouseRowProjector projector, IMeterFactory meters,
        Microsoft.Extensions.Logging.ILogger<ClickHouseSink>? logger = null) =>
        new(spool, db.Database, projector, Options.Create(db.Options), new ClickHouseSinkMetrics(meters), logger ?? NullLogger<ClickHouseSink>.Instance);

    internal static async Task AppendAsync(InMemorySpool spool, int first, int count)
    {
        for (int i = first; i < first + count; i++)
        {
            await spool.AppendAsync(SyntheticRowProjector.Payload($"LSVTEST{i % 13:D10}"), CancellationToken.None);
        }
    }

    /// <summary>Sums <c>ingest.clickhouse.rows_written</c> as an exporter would see it.</summary>
    private sealed class RowsWrittenListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public RowsWrittenListener(IMeterFactory scope)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Meter.Name == ClickHouseSinkMetrics.MeterName && instrument.Name == "ingest.clickhouse.rows_written")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
