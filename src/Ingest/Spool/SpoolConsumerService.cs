using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingest.Spool;

/// <summary>
/// A hosted spool consumer: runs one <see cref="SpoolConsumerLoop"/> on its own cursor with itself as the delivery.
/// A sink derives from it and supplies only "deliver this batch" (and, if it needs one, a prepare step);
/// its batches complete eagerly, so it has nothing to flush.
/// </summary>
public abstract class SpoolConsumerService : BackgroundService, ISpoolBatchDelivery
{
    private readonly SpoolConsumerLoop _loop;

    protected SpoolConsumerService(
        string consumerName,
        IFrameSpool spool,
        SpoolConsumerLoopOptions options,
        ILogger logger,
        TimeProvider? timeProvider,
        SpoolConsumerMetrics? consumerMetrics) =>
        _loop = new SpoolConsumerLoop(consumerName, spool, this, options, logger, timeProvider, consumerMetrics);

    public SpoolConsumerState State => _loop.State;

    /// <summary>Everything before this spool offset is delivered (-1 before the cursor is open).</summary>
    public long CommittedOffset => _loop.CommittedOffset;

    /// <summary>Consecutive failed attempts (0 while healthy).</summary>
    public int ConsecutiveFailures => _loop.ConsecutiveFailures;

    protected sealed override Task ExecuteAsync(CancellationToken stoppingToken) => _loop.RunAsync(stoppingToken);

    /// <inheritdoc cref="ISpoolBatchDelivery.PrepareAsync"/>
    protected virtual ValueTask PrepareAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc cref="ISpoolBatchDelivery.SendAsync"/>
    protected abstract ValueTask<Task> SendAsync(SpoolBatch batch, CancellationToken cancellationToken);

    ValueTask ISpoolBatchDelivery.PrepareAsync(CancellationToken cancellationToken) => PrepareAsync(cancellationToken);

    ValueTask<Task> ISpoolBatchDelivery.SendAsync(SpoolBatch batch, CancellationToken cancellationToken) => SendAsync(batch, cancellationToken);

    ValueTask ISpoolBatchDelivery.FlushAsync(SpoolFlushReason reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
