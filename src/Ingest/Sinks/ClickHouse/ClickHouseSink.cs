using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.ClickHouse.Schema;
using Ingest.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Sinks.ClickHouse;

/// <summary>What the sink loop is doing, for health checks and fault logs.</summary>
public enum ClickHouseSinkState
{
    NotStarted,
    Connecting,
    Reading,
    Inserting,
    Committing,
    BackingOff,
    Stopped,
}

/// <summary>
/// Moves spool records into ClickHouse: reads the spool with its own cursor (<c>clickhouse</c>), projects each record
/// into per-table rows, inserts every table once <see cref="ClickHouseOptions.BatchRows"/> rows are buffered or the
/// oldest has waited <see cref="ClickHouseOptions.FlushInterval"/>, and commits the cursor only after every table's
/// insert succeeded. Flushes are pipelined: while one batch's inserts are in flight, the next batch is read and
/// projected into a second set of row buffers; at most one batch is in flight, and cursors are committed in order.
/// On any failure it rewinds to the committed cursor and tries again with exponential backoff: no
/// record is skipped, and a batch that was partly inserted before the failure is inserted again and replaces its first
/// copy (ReplacingMergeTree keyed on the spool identity), so each record ends up stored exactly once.
/// </summary>
public sealed class ClickHouseSink : BackgroundService
{
    public const string ConsumerName = "clickhouse";

    private readonly IFrameSpool _spool;
    private readonly ClickHouseDatabase _database;
    private readonly ClickHouseSchema _schema;
    private readonly IClickHouseRowProjector _projector;
    private readonly ClickHouseOptions _options;
    private readonly ClickHouseSinkMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RetryBackoff _backoff;

    // Two sets of row buffers: _rows holds the batch being built, _otherRows the batch in flight (or nothing).
    private ClickHouseRowBuffers _rows = new();
    private ClickHouseRowBuffers _otherRows = new();
    private InFlightBatch? _inFlight;
    private CancellationToken _insertToken;

    private volatile ClickHouseSinkState _state = ClickHouseSinkState.NotStarted;
    private long _committedOffset = -1;
    private bool _schemaReady;

    // The batch being assembled: the spool records whose rows sit in _rows.
    private int _pendingRecords;
    private long _firstPendingOffset = -1;
    private long _lastPendingOffset = -1;
    private long _pendingNextOffset = -1;
    private long _flushDeadline;

    public ClickHouseSink(
        IFrameSpool spool,
        ClickHouseDatabase database,
        IClickHouseRowProjector projector,
        IOptions<ClickHouseOptions> options,
        ClickHouseSinkMetrics metrics,
        ILogger<ClickHouseSink> logger,
        TimeProvider? timeProvider = null,
        ClickHouseSchema? schema = null)
    {
        _spool = spool;
        _database = database;
        _projector = projector;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _schema = schema ?? new ClickHouseSchema(database);
        _backoff = new RetryBackoff(_options.MinRetryDelay, _options.MaxRetryDelay);
    }

    public ClickHouseSinkState State => _state;

    /// <summary>The spool offset up to which every record is stored (-1 before the first commit of this run).</summary>
    public long CommittedOffset => Interlocked.Read(ref _committedOffset);

    /// <summary>Consecutive failed attempts (0 while healthy).</summary>
    public int ConsecutiveFailures => _backoff.Failures;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var consumer = _spool.OpenConsumer(ConsumerName);
        Interlocked.Exchange(ref _committedOffset, consumer.CommittedOffset);
        // Inserts outlive the stop signal by up to ShutdownFlushTimeout: a batch in flight then still lands and commits.
        using var inserts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        await using var stopInserts = stoppingToken.Register(() =>
            inserts.CancelAfter(_options.ShutdownFlushTimeout > TimeSpan.Zero ? _options.ShutdownFlushTimeout : TimeSpan.Zero));
        _insertToken = inserts.Token;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await EnsureConnectedAsync(stoppingToken).ConfigureAwait(false);
                    await PumpAsync(consumer, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
            }
            await FlushOnShutdownAsync(consumer).ConfigureAwait(false);
        }
        finally
        {
            _state = ClickHouseSinkState.Stopped;
        }
    }

    /// <summary>Reads the server version and applies the schema; retries with backoff until both succeed.</summary>
    private async Task EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        while (!_schemaReady)
        {
            _state = ClickHouseSinkState.Connecting;
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
                _schemaReady = true;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                _metrics.Error("connect");
                var delay = _backoff.NextDelay();
                ClickHouseSinkLog.Unavailable(_logger, _database.Endpoint, _backoff.Failures,
                    ClickHouseDatabase.Describe(exception), delay);
                await BackOffAsync(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads, projects and flushes until something fails (then rewinds, backs off and returns).</summary>
    private async Task PumpAsync(ISpoolConsumer consumer, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            _state = ClickHouseSinkState.Reading;
            SpoolBatch batch;
            try
            {
                // While a batch is in flight, read only what is already there: with nothing to read we wait for the insert instead.
                var maxWait = _inFlight is null ? TimeUntilFlush() : TimeSpan.Zero;
                batch = await consumer.ReadAsync(NextReadSize(), maxWait, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // The batch in flight does not depend on what failed here: finish and commit it before rewinding.
                if (!await TryCompleteInFlightAsync(consumer, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
                _metrics.Error("spool");
                var delay = _backoff.NextDelay();
                ClickHouseSinkLog.SpoolReadFailed(_logger, consumer.CommittedOffset, _backoff.Failures, delay, exception);
                await RewindAndBackOffAsync(consumer, delay, cancellationToken).ConfigureAwait(false);
                return;
            }

            bool readNothing = batch.Records.Count == 0;
            using (batch)
            {
                if (!TryProject(batch, out var failedOffset, out var projectionError))
                {
                    if (!await TryCompleteInFlightAsync(consumer, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }
                    _metrics.Error("projection");
                    var delay = _backoff.NextDelay();
                    ClickHouseSinkLog.ProjectionFailed(_logger, failedOffset, _backoff.Failures, delay, projectionError!);
                    await RewindAndBackOffAsync(consumer, delay, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }

            // Commit the batch in flight once its inserts are done (or when there was nothing to read meanwhile), and
            // before the next one is sent: at most one batch in flight, cursors committed in order.
            bool readyToSend = _pendingRecords > 0 && (_rows.TotalRows >= _options.BatchRows || _time.GetTimestamp() >= _flushDeadline);
            if (_inFlight is { } inFlight && (inFlight.IsDone || readNothing || readyToSend))
            {
                if (!await TryCompleteInFlightAsync(consumer, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            if (readyToSend)
            {
                Send();
            }
        }
    }

    private bool TryProject(SpoolBatch batch, out long failedOffset, out Exception? error)
    {
        foreach (var record in batch.Records)
        {
            try
            {
                _projector.Project(record, _rows);
            }
            catch (Exception exception)
            {
                failedOffset = record.Offset;
                error = exception;
                return false;
            }
            if (_pendingRecords == 0)
            {
                _firstPendingOffset = record.Offset;
                _flushDeadline = _time.GetTimestamp() + (long)(_options.FlushInterval.TotalSeconds * _time.TimestampFrequency);
            }
            _pendingRecords++;
            _lastPendingOffset = record.Offset;
            _pendingNextOffset = record.NextOffset;
        }
        failedOffset = -1;
        error = null;
        return true;
    }

    /// <summary>Starts inserting every non-empty table of the built batch and swaps in the spare buffers for the next one.</summary>
    private void Send()
    {
        // The tables are independent: insert them at once, so a flush costs the slowest insert, not the sum of four.
        var tables = _rows.All.Where(t => t.Count > 0).ToArray();
        var inserts = new Task<TimeSpan>[tables.Length];
        for (int i = 0; i < tables.Length; i++)
        {
            inserts[i] = _database.InsertAsync(tables[i], QueryId(tables[i]), _insertToken);
        }
        _inFlight = new InFlightBatch(_rows, tables, inserts, _pendingRecords, _firstPendingOffset, _lastPendingOffset, _pendingNextOffset);
        (_rows, _otherRows) = (_otherRows, _rows);
        ResetPending();
    }

    /// <summary>
    /// Waits for the batch in flight (if any) and commits it. False after a failure: the batch being built is discarded,
    /// the consumer rewound to the committed cursor and the backoff waited.
    /// </summary>
    private async Task<bool> TryCompleteInFlightAsync(ISpoolConsumer consumer, CancellationToken cancellationToken)
    {
        if (_inFlight is not { } batch)
        {
            return true;
        }
        _state = ClickHouseSinkState.Inserting;
        // Not cancelled by the stop signal: the inserts end on their own (RequestTimeout, or the shutdown flush timeout).
        await batch.Completion.ConfigureAwait(false);
        _inFlight = null;
        if (batch.Failure() is { } failure)
        {
            // Every table is sent again after the rewind; the ones that did land replace themselves (same keys).
            _metrics.Error("insert");
            var delay = _backoff.NextDelay();
            ClickHouseSinkLog.InsertFailed(_logger, failure.Table.Table.Name, batch.FirstOffset, batch.LastOffset, failure.Table.Count,
                _backoff.Failures, consumer.CommittedOffset, delay, failure.Exception);
            batch.Rows.Clear();
            _schemaReady = false; // the server may have restarted empty: re-check before the retry
            await RewindAndBackOffAsync(consumer, delay, cancellationToken).ConfigureAwait(false);
            return false;
        }
        for (int i = 0; i < batch.Tables.Length; i++)
        {
            _metrics.Inserted(batch.Tables[i].Table.Name, batch.Tables[i].Count, batch.Inserts[i].Result);
        }
        batch.Rows.Clear();

        _state = ClickHouseSinkState.Committing;
        try
        {
            await consumer.CommitAsync(batch.NextOffset, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics.Error("commit");
            ClickHouseSinkLog.CommitFailed(_logger, batch.NextOffset, exception);
            await RewindAndBackOffAsync(consumer, _backoff.NextDelay(), cancellationToken).ConfigureAwait(false);
            return false;
        }
        Interlocked.Exchange(ref _committedOffset, batch.NextOffset);
        _metrics.Committed(batch.Records);
        if (_backoff.Failures > 0)
        {
            ClickHouseSinkLog.Recovered(_logger, _backoff.Failures, batch.NextOffset);
            _backoff.Reset();
        }
        _state = ClickHouseSinkState.Reading;
        return true;
    }

    private async Task FlushOnShutdownAsync(ISpoolConsumer consumer)
    {
        if ((_pendingRecords == 0 && _inFlight is null) || _options.ShutdownFlushTimeout <= TimeSpan.Zero || !_schemaReady)
        {
            if (_inFlight is { } abandoned)
            {
                await abandoned.Completion.ConfigureAwait(false); // its inserts are cancelled; they must not outlive the sink
            }
            return;
        }
        int rows = _rows.TotalRows + (_inFlight?.Rows.TotalRows ?? 0);
        long last = _pendingRecords > 0 ? _lastPendingOffset : _inFlight!.LastOffset;
        using var timeout = new CancellationTokenSource(_options.ShutdownFlushTimeout, _time);
        bool stored;
        try
        {
            stored = await TryCompleteInFlightAsync(consumer, timeout.Token).ConfigureAwait(false);
            if (stored && _pendingRecords > 0)
            {
                Send();
                stored = await TryCompleteInFlightAsync(consumer, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            stored = false;
        }
        ClickHouseSinkLog.ShutdownFlush(_logger, rows, last,
            stored ? "inserted and committed" : "not stored now; they stay in the spool and are re-read at the next start");
    }

    private async Task RewindAndBackOffAsync(ISpoolConsumer consumer, TimeSpan delay, CancellationToken cancellationToken)
    {
        ClearPending();
        consumer.Rewind();
        await BackOffAsync(delay, cancellationToken).ConfigureAwait(false);
    }

    private async Task BackOffAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        _state = ClickHouseSinkState.BackingOff;
        await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
    }

    private void ClearPending()
    {
        _rows.Clear();
        ResetPending();
    }

    private void ResetPending()
    {
        _pendingRecords = 0;
        _firstPendingOffset = _lastPendingOffset = _pendingNextOffset = -1;
    }

    private int NextReadSize() => Math.Clamp(_options.BatchRows - _rows.TotalRows, 1, _options.ReadBatchRecords);

    private TimeSpan TimeUntilFlush()
    {
        if (_pendingRecords == 0)
        {
            return _options.FlushInterval;
        }
        long remaining = _flushDeadline - _time.GetTimestamp();
        return remaining <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)remaining / _time.TimestampFrequency);
    }

    /// <summary>Names the batch in system.query_log: table and spool offsets, plus a random part (ids must be unique while running).</summary>
    private string QueryId(IRowBuffer table) =>
        $"ingest-{table.Table.Name}-{_firstPendingOffset}-{_lastPendingOffset}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A batch whose inserts were sent: its rows (kept until they ended), one insert task per table, and its spool range.</summary>
    private sealed class InFlightBatch(
        ClickHouseRowBuffers rows, IRowBuffer[] tables, Task<TimeSpan>[] inserts, int records, long firstOffset, long lastOffset, long nextOffset)
    {
        public ClickHouseRowBuffers Rows => rows;
        public IRowBuffer[] Tables => tables;
        public Task<TimeSpan>[] Inserts => inserts;
        public int Records => records;
        public long FirstOffset => firstOffset;
        public long LastOffset => lastOffset;
        public long NextOffset => nextOffset;

        /// <summary>Ends when every insert ended; never faults (see <see cref="Failure"/>).</summary>
        public Task Completion { get; } = Task.WhenAll(inserts).ContinueWith(static _ => { }, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        public bool IsDone => Completion.IsCompleted;

        /// <summary>The first table whose insert failed, once <see cref="Completion"/> ended; null if all succeeded.</summary>
        public (IRowBuffer Table, Exception Exception)? Failure()
        {
            int failed = Array.FindIndex(inserts, t => t.IsFaulted || t.IsCanceled);
            return failed < 0 ? null : (tables[failed], inserts[failed].Exception?.GetBaseException() ?? new TaskCanceledException());
        }
    }
}
