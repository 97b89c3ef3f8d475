namespace Ingest.Spool;

/// <summary>
/// The durable local log every accepted frame goes into before the terminal is acknowledged. Payloads are opaque
/// bytes (the ingest envelope); offsets are logical, monotonically increasing and unique for the life of the spool,
/// so consumers can use them as idempotency keys downstream.
/// </summary>
public interface IFrameSpool : IAsyncDisposable
{
    /// <summary>
    /// Appends one record and completes once it is durable (group commit: many concurrent appends share one flush).
    /// Returns <see cref="SpoolAppendStatus.Full"/> without writing when the disk budget is reached, and
    /// <see cref="SpoolAppendStatus.Unavailable"/> when a disk error keeps the spool from writing (it recovers by itself).
    /// The payload is copied once, into the commit batch; keep it unchanged until the returned task completes.
    /// Cancelling only abandons the wait: the record may still become durable, so treat the frame as unacknowledged
    /// (a retransmission then yields a duplicate, which downstream idempotency removes).
    /// Throws <see cref="SpoolFaultedException"/> once the writer has stopped after an unexpected (non-I/O) error.
    /// </summary>
    ValueTask<SpoolAppendResult> AppendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the records of <paramref name="batch"/> in order and completes once each is committed or refused (read
    /// the outcomes with <see cref="SpoolAppendBatch.Result"/>); the first refused record refuses the rest. Completes
    /// only when the spool no longer reads any record's body. Faults (<see cref="SpoolFaultedException"/>, disposal)
    /// are thrown after that. The default copies each record and appends it on its own; <see cref="FileSpool"/>
    /// copies once into the group commit and completes the batch with one continuation.
    /// </summary>
    ValueTask AppendAsync(SpoolAppendBatch batch) => batch.AppendOneByOneAsync(this);

    /// <summary>
    /// Opens (or resumes) a named consumer from its persisted cursor. The first open registers the name on disk and
    /// starts it at the oldest retained record; a registered consumer holds every segment it has not committed past,
    /// across restarts, until <see cref="RemoveConsumer"/> drops it (or the spool drops it as orphaned, after
    /// <see cref="SpoolOptions.OrphanedCursorGrace"/>, when the host does not run it). Opening an orphaned cursor adopts
    /// it again. One open instance per name at a time.
    /// </summary>
    ISpoolConsumer OpenConsumer(string name);

    /// <summary>
    /// Drops a consumer registration (operator action), releasing the segments only it still held.
    /// A consumer that is currently open is not removed.
    /// </summary>
    SpoolConsumerRemoval RemoveConsumer(string name);

    SpoolStats GetStats();
}

public enum SpoolAppendStatus : byte
{
    Committed,
    /// <summary>The disk budget is reached: nothing was written and the frame must not be acknowledged.</summary>
    Full,

    /// <summary>
    /// The spool cannot write right now (a commit failed on a disk error such as ENOSPC or EMFILE; it retries with
    /// backoff and recovers by itself): the record is not durable and the frame must not be acknowledged.
    /// </summary>
    Unavailable,
}

/// <summary>The outcome of an append: the record's offset when <see cref="SpoolAppendStatus.Committed"/>, else -1.</summary>
public readonly record struct SpoolAppendResult(SpoolAppendStatus Status, long Offset);

public enum SpoolConsumerRemoval : byte
{
    Removed,
    NotFound,
    /// <summary>The consumer is open; dispose it first.</summary>
    InUse,
}

/// <summary>One reader of the spool with its own persisted cursor. Not thread-safe: one caller at a time.</summary>
public interface ISpoolConsumer : IAsyncDisposable
{
    string Name { get; }

    /// <summary>The offset of the next record this consumer has not yet committed.</summary>
    long CommittedOffset { get; }

    /// <summary>
    /// Reads up to <paramref name="maxRecords"/> records after the last read position, waiting up to
    /// <paramref name="maxWait"/> for the first one. Returns an empty batch on timeout.
    /// </summary>
    ValueTask<SpoolBatch> ReadAsync(int maxRecords, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>
    /// Continues the awaiting caller on the spool's consumer threads when it has them (<see cref="SpoolOptions.ConsumerThreads"/>),
    /// at once otherwise. A read may finish before its caller awaits it, and the caller then resumes where it was; a
    /// consumer that wants its work off the sessions' threads awaits this after each read.
    /// </summary>
    ConsumerThreadSwitch SwitchToConsumerThread() => default;

    /// <summary>
    /// Records that every record before <paramref name="nextOffset"/> is done. The cursor moves in memory at once and
    /// reaches the disk (fsync) within <see cref="SpoolOptions.CursorPersistInterval"/>, when the consumer is idle, or
    /// when it closes; after a crash reading resumes from the cursor on disk, so a consumer must tolerate re-reading
    /// that much. A read position behind it moves up to it. Pass a <see cref="SpoolRecord.NextOffset"/> or
    /// <see cref="SpoolBatch.NextOffset"/>; committing a smaller
    /// offset than the committed one, or one beyond the durable end, throws.
    /// </summary>
    ValueTask CommitAsync(long nextOffset, CancellationToken cancellationToken);

    /// <summary>Moves the read position back to the committed cursor (after a failed delivery, to retry).</summary>
    void Rewind();
}

/// <summary>A record as read back: its offset, the offset of the record after it, and its payload.</summary>
public readonly record struct SpoolRecord(long Offset, long NextOffset, ReadOnlyMemory<byte> Payload);

/// <summary>Records read together. The payload memory is valid until the batch is disposed (once; later calls do nothing).</summary>
public sealed class SpoolBatch : IDisposable
{
    private Action? _release;

    public SpoolBatch(IReadOnlyList<SpoolRecord> records, Action? release = null)
    {
        Records = records;
        _release = release;
    }

    public static SpoolBatch Empty { get; } = new([]);

    public IReadOnlyList<SpoolRecord> Records { get; }

    public int Count => Records.Count;

    /// <summary>The offset to commit once every record of this batch is delivered.</summary>
    public long NextOffset => Records.Count == 0 ? -1 : Records[^1].NextOffset;

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}

/// <summary>A snapshot for metrics and health.</summary>
/// <param name="FirstOffset">Offset of the oldest retained record.</param>
/// <param name="NextOffset">Offset the next committed record will get (everything before it is durable).</param>
/// <param name="DiskBytes">Bytes of segment files on disk plus bytes accepted for the commit in progress.</param>
/// <param name="DiskBudgetBytes">The configured budget.</param>
/// <param name="NearBudget">DiskBytes is at or above the configured near-budget ratio.</param>
/// <param name="Full">The last append was refused for lack of budget (cleared when space is freed or an append is accepted).</param>
/// <param name="ConsumerOffsets">Committed offset per registered consumer.</param>
/// <param name="Faulted">The writer stopped after an unexpected error; appends fail until the host restarts the spool.</param>
/// <param name="CorruptionEvents">Corrupt regions found since open (recovery plus readers skipping damaged data).</param>
public readonly record struct SpoolStats(
    long FirstOffset,
    long NextOffset,
    long DiskBytes,
    long DiskBudgetBytes,
    bool NearBudget,
    bool Full,
    IReadOnlyDictionary<string, long> ConsumerOffsets,
    bool Faulted,
    long CorruptionEvents)
{
    /// <summary>Appends are refused right now because a commit failed on a disk error (backing off; recovers by itself).</summary>
    public bool WriteUnavailable { get; init; }

    /// <summary>The last disk error while commits have not succeeded again (also after the backoff); else null.</summary>
    public string? WriteError { get; init; }

    /// <summary>When appends are tried again after the last disk error; null when the last commit succeeded.</summary>
    public DateTimeOffset? WriteRetryAt { get; init; }

    /// <summary>Bytes of consumed segments kept for the retention margin (included in <see cref="DiskBytes"/>).</summary>
    public long RetainedBytes { get; init; }

    /// <summary>Cursors whose consumer is not configured, with when each will be dropped.</summary>
    public IReadOnlyList<SpoolOrphanedConsumer>? OrphanedConsumers { get; init; }

    /// <summary>The spool acknowledges appends right now: not faulted, not at its budget, not backing off after a disk error.</summary>
    public bool CanAccept => !Faulted && !Full && !WriteUnavailable;
}

/// <summary>A cursor of a consumer that is not configured: kept until <paramref name="DropAt"/>, holding segments until then.</summary>
public readonly record struct SpoolOrphanedConsumer(string Name, long CommittedOffset, DateTimeOffset OrphanedSince, DateTimeOffset DropAt);
