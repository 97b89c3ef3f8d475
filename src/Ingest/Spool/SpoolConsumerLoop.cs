using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;

namespace Ingest.Spool;

/// <summary>
/// The one spool-consumer loop: opens a named cursor, reads batches bounded by records and bytes (lingering to fill
/// them), hands each to an <see cref="ISpoolBatchDelivery"/>, and commits the cursor in order as batches are
/// delivered. Up to <see cref="SpoolConsumerLoopOptions.MaxInFlightBatches"/> batches may be in flight; a later one
/// that finishes first waits for the earlier ones before anything is committed. Any failure (read, prepare, send,
/// outcome, commit) rewinds the cursor to the last commit and retries after a jittered exponential backoff, so every
/// record is delivered at least once, in order, and never skipped. At stop, batches in flight get
/// <see cref="SpoolConsumerLoopOptions.StopTimeout"/> to finish and commit; the cursor is persisted when it closes.
/// </summary>
public sealed class SpoolConsumerLoop
{
    /// <summary>How often a loop with batches in flight looks for new records when nothing has come (Linger 0).</summary>
    private static readonly TimeSpan MinPollWait = TimeSpan.FromMilliseconds(5);

    private readonly IFrameSpool _spool;
    private readonly ISpoolBatchDelivery _delivery;
    private readonly SpoolConsumerLoopOptions _options;
    private readonly SpoolConsumerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RetryBackoff _backoff;
    private readonly KeyValuePair<string, object?> _tag;
    private readonly Queue<InFlight> _inFlight = new();
    private volatile SpoolConsumerState _state = SpoolConsumerState.NotStarted;
    private volatile LastFailure? _lastFailure;
    private long _committedOffset = -1;
    // A batch in flight failed: nothing behind it may be committed until the loop has rewound.
    private bool _mustRewind;

    public SpoolConsumerLoop(
        string name,
        IFrameSpool spool,
        ISpoolBatchDelivery delivery,
        SpoolConsumerLoopOptions options,
        ILogger logger,
        TimeProvider? timeProvider = null,
        SpoolConsumerMetrics? metrics = null)
    {
        options.Validate();
        Name = name;
        _spool = spool;
        _delivery = delivery;
        _options = options;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _metrics = metrics ?? new SpoolConsumerMetrics();
        _backoff = new RetryBackoff(options.MinRetryDelay, options.MaxRetryDelay);
        _tag = new KeyValuePair<string, object?>("consumer", name);
    }

    /// <summary>The spool consumer (cursor) name.</summary>
    public string Name { get; }

    public SpoolConsumerState State => _state;

    /// <summary>Everything before this offset is delivered and committed; -1 before the cursor is open.</summary>
    public long CommittedOffset => Interlocked.Read(ref _committedOffset);

    /// <summary>Consecutive failed attempts (0 while healthy).</summary>
    public int ConsecutiveFailures => _backoff.Failures;

    public SpoolConsumerStatus Status
    {
        get
        {
            var failure = _lastFailure;
            return new SpoolConsumerStatus(Name, _state, CommittedOffset, _backoff.Failures, failure?.Reason, failure?.At);
        }
    }

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled; never throws for a delivery failure.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await using var consumer = _spool.OpenConsumer(Name);
        Interlocked.Exchange(ref _committedOffset, consumer.CommittedOffset);
        SpoolLog.ConsumerStarted(_logger, Name, consumer.CommittedOffset);
        _metrics.Started(this);
        // Sends outlive the stop signal by StopTimeout, so a batch in flight can still land and commit.
        using var delivering = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        await using var stopDelivering = stoppingToken.Register(() => delivering.CancelAfter(_options.StopTimeout));
        try
        {
            bool prepared = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (!prepared)
                    {
                        _state = SpoolConsumerState.Preparing;
                        await _delivery.PrepareAsync(stoppingToken).ConfigureAwait(false);
                        prepared = true;
                    }
                    await PumpAsync(consumer, stoppingToken, delivering.Token).ConfigureAwait(false);
                }
                catch (Exception) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception exception)
                {
                    prepared = false;
                    await RecoverAsync(consumer, exception, stoppingToken).ConfigureAwait(false);
                }
            }
            _state = SpoolConsumerState.Stopping;
            await FinishAsync(consumer, delivering.Token).ConfigureAwait(false);
        }
        finally
        {
            int abandoned = await DrainAsync().ConfigureAwait(false);
            _state = SpoolConsumerState.Stopped;
            _metrics.Stopped(this);
            SpoolLog.ConsumerStopped(_logger, Name, CommittedOffset, abandoned);
        }
    }

    /// <summary>Reads, sends and commits until stopped; throws on the first failure.</summary>
    private async Task PumpAsync(ISpoolConsumer consumer, CancellationToken stoppingToken, CancellationToken deliveringToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            while (_inFlight.TryPeek(out var done) && done.Outcome.IsCompleted)
            {
                await CommitOldestAsync(consumer).ConfigureAwait(false);
            }
            if (_inFlight.Count >= _options.MaxInFlightBatches)
            {
                await _delivery.FlushAsync(SpoolFlushReason.WindowFull, stoppingToken).ConfigureAwait(false);
                await CommitOldestAsync(consumer).ConfigureAwait(false);
                continue;
            }

            // With batches in flight, look for new records only briefly: their outcomes are committed in between.
            var wait = _inFlight.Count == 0 ? _options.IdleWait : Max(_options.Linger, MinPollWait);
            var batch = await ReadBatchAsync(consumer, wait, stoppingToken).ConfigureAwait(false);
            if (batch is null)
            {
                if (_inFlight.Count == 0)
                {
                    _state = SpoolConsumerState.CaughtUp;
                }
                await _delivery.FlushAsync(SpoolFlushReason.Idle, stoppingToken).ConfigureAwait(false);
                continue;
            }

            await consumer.SwitchToConsumerThread(); // projection work off the sessions' threads, whoever finished the read
            if (stoppingToken.IsCancellationRequested && _options.StopTimeout <= TimeSpan.Zero)
            {
                batch.Dispose(); // not delivered: read again at the next start
                return;
            }

            _state = SpoolConsumerState.Running;
            long sentAt = _time.GetTimestamp();
            Task outcome;
            try
            {
                outcome = await _delivery.SendAsync(batch, deliveringToken).ConfigureAwait(false);
            }
            catch
            {
                batch.Dispose();
                throw;
            }
            _inFlight.Enqueue(new InFlight(batch, outcome, sentAt));
        }
    }

    /// <summary>
    /// The next batch: waits up to <paramref name="wait"/> for a first record, then up to the linger for more, in one
    /// sleep rather than one wake-up per group commit. Null when nothing came. A stop during the linger ends it with
    /// what was read.
    /// </summary>
    private async ValueTask<SpoolBatch?> ReadBatchAsync(ISpoolConsumer consumer, TimeSpan wait, CancellationToken stoppingToken)
    {
        var first = await consumer.ReadAsync(_options.MaxBatchRecords, wait, stoppingToken).ConfigureAwait(false);
        if (first.Count == 0)
        {
            first.Dispose();
            return null;
        }

        int records = first.Count;
        long bytes = PayloadBytes(first);
        List<SpoolBatch>? parts = null;
        long deadline = _time.GetTimestamp() + (long)(_options.Linger.TotalSeconds * _time.TimestampFrequency);
        try
        {
            while (records < _options.MaxBatchRecords && bytes < _options.MaxBatchBytes && !stoppingToken.IsCancellationRequested)
            {
                var more = await consumer.ReadAsync(_options.MaxBatchRecords - records, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
                if (more.Count > 0)
                {
                    (parts ??= [first]).Add(more);
                    records += more.Count;
                    bytes += PayloadBytes(more);
                    continue;
                }
                more.Dispose();
                var rest = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
                if (rest <= TimeSpan.Zero)
                {
                    break;
                }
                await Task.Delay(rest, _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                deadline = _time.GetTimestamp(); // one more read after the linger, then send
            }
        }
        catch
        {
            DisposeAll(parts, first);
            throw;
        }
        return parts is null ? first : Combine(parts, records);
    }

    /// <summary>Waits for the oldest batch in flight and commits it; throws its failure.</summary>
    private async Task CommitOldestAsync(ISpoolConsumer consumer)
    {
        var oldest = _inFlight.Peek();
        await oldest.Outcome.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _inFlight.Dequeue();
        using (oldest.Batch)
        {
            if (!oldest.Outcome.IsCompletedSuccessfully)
            {
                _mustRewind = true;
                ExceptionDispatchInfo.Throw(oldest.Outcome.Exception?.GetBaseException()
                    ?? new OperationCanceledException($"the delivery of offsets {oldest.Batch.Records[0].Offset}..{oldest.Batch.NextOffset} was cancelled"));
            }
            long next = oldest.Batch.NextOffset;
            await consumer.CommitAsync(next, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Exchange(ref _committedOffset, next);
            _metrics.Delivered(_tag, oldest.Batch.Count, _time.GetElapsedTime(oldest.SentAt));
        }
        if (_backoff.Failures > 0)
        {
            SpoolLog.ConsumerRecovered(_logger, Name, _backoff.Failures, CommittedOffset);
            _backoff.Reset();
            _lastFailure = null;
        }
    }

    /// <summary>After a failure: drop every batch in flight, rewind to the committed cursor and wait out the backoff.</summary>
    private async Task RecoverAsync(ISpoolConsumer consumer, Exception exception, CancellationToken stoppingToken)
    {
        var failedIn = _state;
        _metrics.Failed(_tag);
        await DrainAsync().ConfigureAwait(false);
        consumer.Rewind();
        _mustRewind = false;
        var delay = _backoff.NextDelay();
        _lastFailure = new LastFailure(exception.Message, _time.GetUtcNow());
        _state = SpoolConsumerState.Retrying;
        SpoolLog.ConsumerFailed(_logger, Name, failedIn, _backoff.Failures, exception.Message, consumer.CommittedOffset, delay, exception);
        await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>At stop: lets the batches in flight finish (within StopTimeout) and commits them in order.</summary>
    private async Task FinishAsync(ISpoolConsumer consumer, CancellationToken deliveringToken)
    {
        if (_inFlight.Count == 0 || deliveringToken.IsCancellationRequested || _mustRewind)
        {
            return; // a failed batch stopped the loop: what follows it is read again at the next start
        }
        try
        {
            await _delivery.FlushAsync(SpoolFlushReason.Stopping, deliveringToken).ConfigureAwait(false);
            while (_inFlight.Count > 0)
            {
                await CommitOldestAsync(consumer).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            SpoolLog.ConsumerStopIncomplete(_logger, Name, CommittedOffset, exception.Message);
        }
    }

    /// <summary>Waits for every batch in flight to end (a send must not outlive the loop), then releases them; returns how many.</summary>
    private async Task<int> DrainAsync()
    {
        int count = _inFlight.Count;
        while (_inFlight.TryDequeue(out var batch))
        {
            await batch.Outcome.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            batch.Batch.Dispose();
        }
        return count;
    }

    private static long PayloadBytes(SpoolBatch batch)
    {
        long bytes = 0;
        foreach (var record in batch.Records)
        {
            bytes += record.Payload.Length;
        }
        return bytes;
    }

    private static SpoolBatch Combine(List<SpoolBatch> parts, int records)
    {
        var all = new SpoolRecord[records];
        int at = 0;
        foreach (var part in parts)
        {
            foreach (var record in part.Records)
            {
                all[at++] = record;
            }
        }
        return new SpoolBatch(all, () => DisposeAll(parts, null));
    }

    private static void DisposeAll(List<SpoolBatch>? parts, SpoolBatch? first)
    {
        if (parts is null)
        {
            first?.Dispose();
            return;
        }
        foreach (var part in parts)
        {
            part.Dispose();
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private readonly record struct InFlight(SpoolBatch Batch, Task Outcome, long SentAt);

    private sealed record LastFailure(string Reason, DateTimeOffset At);
}
