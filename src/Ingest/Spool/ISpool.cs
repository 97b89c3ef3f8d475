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
    /// Returns <see cref="SpoolAppendStatus.Full"/> without writing when the disk budget is reached.
    /// </summary>
    ValueTask<SpoolAppendResult> AppendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>Opens (or resumes) a named consumer from its persisted cursor. Registered consumers hold segments.</summary>
    ISpoolConsumer OpenConsumer(string name);

    SpoolStats GetStats();
}

public enum SpoolAppendStatus : byte
{
    Committed,
    /// <summary>The disk budget is reached: nothing was written and the frame must not be acknowledged.</summary>
    Full,
}

public readonly record struct SpoolAppendResult(SpoolAppendStatus Status, long Offset);

/// <summary>One reader of the spool with its own persisted cursor.</summary>
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

    /// <summary>Persists that every record before <paramref name="nextOffset"/> is done; after a restart reading resumes there.</summary>
    ValueTask CommitAsync(long nextOffset, CancellationToken cancellationToken);

    /// <summary>Moves the read position back to the committed cursor (after a failed delivery, to retry).</summary>
    void Rewind();
}

/// <summary>A record as read back: its offset, the offset of the record after it, and its payload.</summary>
public readonly record struct SpoolRecord(long Offset, long NextOffset, ReadOnlyMemory<byte> Payload);

/// <summary>Records read together. The payload memory is valid until the batch is disposed.</summary>
public sealed class SpoolBatch : IDisposable
{
    private readonly Action? _release;

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

    public void Dispose() => _release?.Invoke();
}

/// <summary>A snapshot for metrics and health.</summary>
public readonly record struct SpoolStats(
    long FirstOffset,
    long NextOffset,
    long DiskBytes,
    long DiskBudgetBytes,
    bool NearBudget,
    bool Full,
    IReadOnlyDictionary<string, long> ConsumerOffsets);
