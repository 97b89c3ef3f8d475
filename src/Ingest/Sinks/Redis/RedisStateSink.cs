using Ingest.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Sinks.Redis;

/// <summary>
/// Keeps live vehicle state from the spool: reads with its own cursor (<c>redis</c>), projects each record into a state
/// update, applies the batch in one pipeline and commits the cursor only after the store accepted all of it. While the
/// store is unavailable it rewinds and retries with backoff (the spool keeps the records); terminals and the other
/// consumers never wait for it.
/// </summary>
public sealed class RedisStateSink : BackgroundService
{
    public const string ConsumerName = "redis";

    private readonly IFrameSpool _spool;
    private readonly IVehicleStateStore _store;
    private readonly IVehicleStateProjector _projector;
    private readonly RedisOptions _options;
    private readonly RedisStateMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RetryBackoff _backoff;
    private readonly StateUpdateBatch _updates = new();
    private long _committedOffset = -1;

    public RedisStateSink(
        IFrameSpool spool,
        IVehicleStateStore store,
        IVehicleStateProjector projector,
        IOptions<RedisOptions> options,
        RedisStateMetrics metrics,
        ILogger<RedisStateSink> logger,
        TimeProvider? timeProvider = null)
    {
        _spool = spool;
        _store = store;
        _projector = projector;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _backoff = new RetryBackoff(_options.MinRetryDelay, _options.MaxRetryDelay);
    }

    /// <summary>The spool offset up to which every record's update is applied (-1 before the first commit of this run).</summary>
    public long CommittedOffset => Interlocked.Read(ref _committedOffset);

    /// <summary>Consecutive failed attempts (0 while healthy).</summary>
    public int ConsecutiveFailures => _backoff.Failures;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var consumer = _spool.OpenConsumer(ConsumerName);
        Interlocked.Exchange(ref _committedOffset, consumer.CommittedOffset);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ProcessNextBatchAsync(consumer, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task ProcessNextBatchAsync(ISpoolConsumer consumer, CancellationToken cancellationToken)
    {
        SpoolBatch batch;
        try
        {
            batch = await consumer.ReadAsync(_options.BatchRecords, _options.MaxBatchWait, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics.Error("spool");
            var delay = _backoff.NextDelay();
            RedisStateLog.SpoolReadFailed(_logger, consumer.CommittedOffset, _backoff.Failures, delay, exception);
            await RewindAndBackOffAsync(consumer, delay, cancellationToken).ConfigureAwait(false);
            return;
        }

        using (batch)
        {
            if (batch.Count == 0)
            {
                return;
            }
            _updates.Clear();
            foreach (var record in batch.Records)
            {
                try
                {
                    if (_projector.TryProject(record, out var update))
                    {
                        _updates.Add(update);
                    }
                }
                catch (Exception exception)
                {
                    _metrics.Error("projection");
                    var delay = _backoff.NextDelay();
                    RedisStateLog.ProjectionFailed(_logger, record.Offset, _backoff.Failures, delay, exception);
                    await RewindAndBackOffAsync(consumer, delay, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }

            StateApplyResult result;
            try
            {
                result = await _store.ApplyAsync(_updates.Memory, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                _metrics.Error("store");
                RedisStateLog.CommandsFailed(_logger, _updates.Count, exception.Message);
                result = new StateApplyResult(StateApplyStatus.Unavailable, _updates.Count);
            }
            if (result.Status != StateApplyStatus.Applied)
            {
                var delay = _backoff.NextDelay();
                RedisStateLog.StateUnavailable(_logger, _updates.Count, batch.Records[0].Offset, batch.Records[^1].Offset,
                    _backoff.Failures, consumer.CommittedOffset, delay);
                await RewindAndBackOffAsync(consumer, delay, cancellationToken).ConfigureAwait(false);
                return;
            }

            try
            {
                await consumer.CommitAsync(batch.NextOffset, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // The updates are applied; re-applying them after the rewind is harmless (the merge is idempotent).
                _metrics.Error("commit");
                var delay = _backoff.NextDelay();
                RedisStateLog.SpoolReadFailed(_logger, consumer.CommittedOffset, _backoff.Failures, delay, exception);
                await RewindAndBackOffAsync(consumer, delay, cancellationToken).ConfigureAwait(false);
                return;
            }
            Interlocked.Exchange(ref _committedOffset, batch.NextOffset);
            if (_backoff.Failures > 0)
            {
                RedisStateLog.Recovered(_logger, _backoff.Failures, batch.NextOffset);
                _backoff.Reset();
            }
        }
    }

    private async Task RewindAndBackOffAsync(ISpoolConsumer consumer, TimeSpan delay, CancellationToken cancellationToken)
    {
        consumer.Rewind();
        await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
    }
}
