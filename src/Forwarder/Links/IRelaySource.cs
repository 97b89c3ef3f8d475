namespace Ingest.Forwarder.Links;

/// <summary>
/// Where a link reads the frames it relays: in the ingest host, a named consumer of the spool with its own
/// persisted cursor. Records come in acceptance order, so every vehicle's frames stay in order.
/// </summary>
public interface IRelaySource
{
    ValueTask<RelayBatch> ReadAsync(int maxFrames, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Persists that everything before <paramref name="nextOffset"/> reached the platform.</summary>
    ValueTask CommitAsync(long nextOffset, CancellationToken cancellationToken);

    /// <summary>Goes back to the last committed position, to resend after the link dropped.</summary>
    void Rewind();
}

/// <summary>A frame to relay: its spool position, when the terminal's frame was received, and its bytes.</summary>
public readonly record struct RelayItem(long Offset, long NextOffset, DateTimeOffset ReceivedAt, ReadOnlyMemory<byte> Frame);

/// <summary>Frames read together; their memory is valid until the batch is disposed.</summary>
public sealed class RelayBatch : IDisposable
{
    private readonly IDisposable? _owner;

    public RelayBatch(IReadOnlyList<RelayItem> items, long nextOffset, IDisposable? owner = null)
    {
        Items = items;
        NextOffset = nextOffset;
        _owner = owner;
    }

    public IReadOnlyList<RelayItem> Items { get; }

    /// <summary>Position after the last record read, including records that were not frames for this link.</summary>
    public long NextOffset { get; }

    public void Dispose() => _owner?.Dispose();
}
