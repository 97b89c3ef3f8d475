using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.ClickHouse.Schema;
using Ingest.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Sinks.ClickHouse;

/// <summary>
/// Moves spool records into ClickHouse through the spool-consumer loop (cursor <c>clickhouse</c>): a batch of up to
/// <see cref="ClickHouseOptions.BatchRows"/> records, or what came within <see cref="ClickHouseOptions.FlushInterval"/>
/// of its first, is projected into per-table rows and every table inserted at once. Up to
/// <see cref="ClickHouseOptions.MaxInFlightBatches"/> batches are in flight: the next batch is read and projected while
/// earlier inserts run, and cursors are committed in order. After any failure the loop rewinds to the committed cursor
/// and retries with backoff: no record is skipped, and a batch that was partly inserted before the failure is inserted
/// again and replaces its first copy (ReplacingMergeTree keyed on the spool identity), so each record ends up stored
/// exactly once.
/// </summary>
public sealed class ClickHouseSink : SpoolConsumerService
{
    public const string ConsumerName = "clickhouse";

    private readonly ClickHouseDatabase _database;
    private readonly ClickHouseSchema _schema;
    private readonly IClickHouseRowProjector _projector;
    private readonly ClickHouseSinkMetrics _metrics;
    private readonly ILogger _logger;
    // One set of row buffers per batch in flight plus the one being built; returned when a batch's inserts ended.
    private readonly Stack<ClickHouseRowBuffers> _spareRows = new();
    private volatile bool _schemaReady;

    public ClickHouseSink(
        IFrameSpool spool,
        ClickHouseDatabase database,
        IClickHouseRowProjector projector,
        IOptions<ClickHouseOptions> options,
        ClickHouseSinkMetrics metrics,
        ILogger<ClickHouseSink> logger,
        TimeProvider? timeProvider = null,
        ClickHouseSchema? schema = null,
        SpoolConsumerMetrics? consumerMetrics = null)
        : base(ConsumerName, spool, LoopOptions(options.Value), logger, timeProvider, consumerMetrics)
    {
        _database = database;
        _projector = projector;
        _metrics = metrics;
        _logger = logger;
        _schema = schema ?? new ClickHouseSchema(database);
    }

    private static SpoolConsumerLoopOptions LoopOptions(ClickHouseOptions o) => new()
    {
        MaxBatchRecords = o.BatchRows,
        MaxBatchBytes = o.BatchBytes,
        Linger = o.FlushInterval,
        MaxInFlightBatches = o.MaxInFlightBatches,
        MinRetryDelay = o.MinRetryDelay,
        MaxRetryDelay = o.MaxRetryDelay,
        StopTimeout = o.ShutdownFlushTimeout,
    };

    /// <summary>Reads the server version and applies the schema (again after a failed insert: the server may have restarted empty).</summary>
    protected override async ValueTask PrepareAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return;
        }
        try
        {
            var version = await _database.ReadServerVersionAsync(cancellationToken).ConfigureAwait(false);
            ClickHouseSinkLog.Connected(_logger, _database.Endpoint, version, _database.Database,
                _database.Cluster is { } cluster ? $", cluster '{cluster}'" : "");
            if (!version.IsSupported)
            {
                ClickHouseSinkLog.OldServer(_logger, version, ClickHouseServerVersion.OldestSupported);
            }
            foreach (var applied in await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false))
            {
                ClickHouseSinkLog.SchemaMigrated(_logger, _database.Database, applied);
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics.Error("connect");
            throw new SpoolDeliveryException($"ClickHouse {_database.Endpoint} is not ready: {ClickHouseDatabase.Describe(exception)}", exception);
        }
        _schemaReady = true;
    }

    /// <summary>Projects the batch into a free set of row buffers on the loop's thread and starts every table's insert.</summary>
    protected override ValueTask<Task> SendAsync(SpoolBatch batch, CancellationToken cancellationToken)
    {
        var rows = RentRows();
        foreach (var record in batch.Records)
        {
            try
            {
                _projector.Project(record, rows);
            }
            catch (Exception exception)
            {
                ReturnRows(rows);
                _metrics.Error("projection");
                throw new SpoolDeliveryException($"projecting spool record {record.Offset} into ClickHouse rows failed: {exception.Message}", exception);
            }
        }
        return new(InsertAsync(rows, batch.Records[0].Offset, batch.Records[^1].Offset, batch.Count, cancellationToken));
    }

    private async Task InsertAsync(ClickHouseRowBuffers rows, long firstOffset, long lastOffset, int records, CancellationToken cancellationToken)
    {
        try
        {
            // The tables are independent: insert them at once, so a flush costs the slowest insert, not the sum of four.
            var tables = rows.All.Where(t => t.Count > 0).ToArray();
            var inserts = new Task<TimeSpan>[tables.Length];
            string batchId = Guid.NewGuid().ToString("N")[..8];
            for (int i = 0; i < tables.Length; i++)
            {
                inserts[i] = _database.InsertAsync(tables[i], $"ingest-{tables[i].Table.Name}-{firstOffset}-{lastOffset}-{batchId}", cancellationToken);
            }
            await ((Task)Task.WhenAll(inserts)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            int failed = Array.FindIndex(inserts, t => !t.IsCompletedSuccessfully);
            if (failed >= 0)
            {
                // Every table is sent again after the rewind; the ones that did land replace themselves (same keys).
                _metrics.Error("insert");
                _schemaReady = false;
                var cause = inserts[failed].Exception?.GetBaseException() ?? new TaskCanceledException();
                throw new SpoolDeliveryException(
                    $"ClickHouse insert into '{tables[failed].Table.Name}' failed for spool offsets {firstOffset}..{lastOffset} ({tables[failed].Count} rows): {ClickHouseDatabase.Describe(cause)}",
                    cause);
            }
            for (int i = 0; i < tables.Length; i++)
            {
                _metrics.Inserted(tables[i].Table.Name, tables[i].Count, inserts[i].Result);
            }
            _metrics.Committed(records);
        }
        finally
        {
            ReturnRows(rows);
        }
    }

    private ClickHouseRowBuffers RentRows()
    {
        lock (_spareRows)
        {
            return _spareRows.TryPop(out var rows) ? rows : new ClickHouseRowBuffers();
        }
    }

    private void ReturnRows(ClickHouseRowBuffers rows)
    {
        rows.Clear();
        lock (_spareRows)
        {
            _spareRows.Push(rows);
        }
    }
}
