namespace Ingest.Forwarder.Links;

/// <summary>A frame to relay: its spool position, when the terminal's frame was received, and its bytes.</summary>
public readonly record struct RelayItem(long Offset, long NextOffset, DateTimeOffset ReceivedAt, ReadOnlyMemory<byte> Frame);
