using Ingest.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Sinks.Redis;

/// <summary>
/// Keeps live vehicle state from the spool through the spool-consumer loop (cursor <c>redis</c>): projects each
/// record of a batch into a state update and applies the batch in one pipeline; the loop commits the cursor only after
/// the store accepted all of it. While the store is unavailable the loop rewinds and retries with backoff (the spool
/// keeps the records); terminals and the other consumers never wait for it.
/// </summary>
public sealed class RedisStateSink : SpoolConsumerService
{
    public const string ConsumerName = "redis";

    private readonly IVehicleStateStore _store;
    private readonly IVehicleStateProjector _projector;
    private readonly RedisStateMetrics _metrics;
    // One batch in flight at a time (MaxInFlightBatches 1), so one reused batch of update values serves every batch.
    private readonly StateUpdateBatch _updates = new();

    public RedisStateSink(
        IFrameSpool spool,
        IVehicleStateStore store,
        IVehicleStateProjector projector,
        IOptions<RedisOptions> options,
        RedisStateMetrics metrics,
        ILogger<RedisStateSink> logger,
        TimeProvider? timeProvider = null,
        IOptions<SpoolOptions>? spoolOptions = null,
        SpoolConsumerMetrics? consumerMetrics = null)
        : base(ConsumerName, spool, new SpoolConsumerLoopOptions
        {
            MaxBatchRecords = options.Value.BatchRecords,
            Linger = (spoolOptions?.Value ?? new SpoolOptions()).ConsumerLinger,
            IdleWait = options.Value.MaxBatchWait,
            MaxInFlightBatches = 1,
            MinRetryDelay = options.Value.MinRetryDelay,
            MaxRetryDelay = options.Value.MaxRetryDelay,
        }, logger, timeProvider, consumerMetrics)
    {
        _store = store;
        _projector = projector;
        _metrics = metrics;
    }

    protected override ValueTask<Task> SendAsync(SpoolBatch batch, CancellationToken cancellationToken)
    {
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
                throw new SpoolDeliveryException($"projecting spool record {record.Offset} into a vehicle state update failed: {exception.Message}", exception);
            }
        }
        return new(_updates.Count == 0 ? Task.CompletedTask : ApplyAsync(batch.Records[0].Offset, batch.Records[^1].Offset, cancellationToken));
    }

    private async Task ApplyAsync(long firstOffset, long lastOffset, CancellationToken cancellationToken)
    {
        StateApplyResult result;
        try
        {
            result = await _store.ApplyAsync(_updates.Memory, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics.Error("store");
            throw new SpoolDeliveryException(
                $"Redis commands for {_updates.Count} state updates (spool offsets {firstOffset}..{lastOffset}) failed: {exception.Message}", exception);
        }
        if (result.Status != StateApplyStatus.Applied)
        {
            throw new SpoolDeliveryException(
                $"Redis unavailable: {_updates.Count} state updates for spool offsets {firstOffset}..{lastOffset} not applied ({result.Status})");
        }
    }
}
