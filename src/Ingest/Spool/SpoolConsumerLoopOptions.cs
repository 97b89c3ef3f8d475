namespace Ingest.Spool;

/// <summary>
/// How one <see cref="SpoolConsumerLoop"/> batches and retries. Not bound from configuration itself: each consumer
/// fills it from its own section (ClickHouse, Redis, Forwarder:Links) and <see cref="SpoolOptions.ConsumerLinger"/>.
/// </summary>
public sealed class SpoolConsumerLoopOptions
{
    /// <summary>Most records in one batch. Default 1,000.</summary>
    public int MaxBatchRecords { get; init; } = 1_000;

    /// <summary>
    /// A batch takes no further read once its payloads reach this many bytes (one read can pass it). Default 4 MiB.
    /// </summary>
    public long MaxBatchBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// After a batch's first record, how long the loop waits for the batch to fill before it sends what it has: one
    /// wake-up per batch instead of one per group commit. 0 sends at once. Default 20 ms.
    /// </summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How long a read waits for a first record before the loop calls <see cref="ISpoolBatchDelivery.FlushAsync"/>
    /// (an idle platform link sends its heartbeat from there). Default 1 s.
    /// </summary>
    public TimeSpan IdleWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Batches sent but not yet committed; with more than 1 the next batch is read and encoded while earlier ones are
    /// in flight. Commits stay in order whatever order the batches finish in. Default 1.
    /// </summary>
    public int MaxInFlightBatches { get; init; } = 1;

    /// <summary>First delay after a failure; doubled per consecutive failure, with jitter. Default 200 ms.</summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between attempts. Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// At stop, how long batches in flight (and the one being filled) may still take to be delivered and committed;
    /// 0 abandons them (they are read again at the next start). Default 5 s.
    /// </summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchRecords, 1, nameof(MaxBatchRecords));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchBytes, 1, nameof(MaxBatchBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(Linger, TimeSpan.Zero, nameof(Linger));
        ArgumentOutOfRangeException.ThrowIfLessThan(IdleWait, TimeSpan.Zero, nameof(IdleWait));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightBatches, 1, nameof(MaxInFlightBatches));
        ArgumentOutOfRangeException.ThrowIfLessThan(StopTimeout, TimeSpan.Zero, nameof(StopTimeout));
    }
}

/// <summary>What a consumer loop is doing; on /readyz and a breadcrumb in its logs.</summary>
public enum SpoolConsumerState
{
    NotStarted,

    /// <summary>Connecting or logging in (<see cref="ISpoolBatchDelivery.PrepareAsync"/>).</summary>
    Preparing,

    /// <summary>Reading and delivering batches.</summary>
    Running,

    /// <summary>The last read found nothing new and every batch is committed.</summary>
    CaughtUp,

    /// <summary>A delivery failed: rewound to the committed cursor, waiting out the backoff.</summary>
    Retrying,

    /// <summary>Finishing the batches in flight before it stops.</summary>
    Stopping,

    Stopped,
}

/// <summary>A consumer loop as /readyz shows it.</summary>
/// <param name="Name">The consumer (cursor) name.</param>
/// <param name="State">What the loop is doing.</param>
/// <param name="CommittedOffset">Everything before it is delivered; -1 before the loop opened its cursor.</param>
/// <param name="ConsecutiveFailures">Failed attempts since the last success.</param>
/// <param name="LastError">The last failure while the loop has not succeeded since; else null.</param>
/// <param name="LastErrorAt">When <paramref name="LastError"/> happened.</param>
public readonly record struct SpoolConsumerStatus(
    string Name,
    SpoolConsumerState State,
    long CommittedOffset,
    int ConsecutiveFailures,
    string? LastError,
    DateTimeOffset? LastErrorAt);
