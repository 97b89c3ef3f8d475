using System.Buffers.Binary;
using Ingest.Hosting;

namespace Ingest.Records;

/// <summary>
/// What the spool stores for each accepted frame: the frame's bytes exactly as received plus what only the
/// receiving session knows (when, on which port, which protocol the port speaks, which connection).
/// Layout (big-endian): version(1) protocol(1) receivedAtUnixMs(8) connectionId(8) listenerPort(2) frame(N).
/// </summary>
public readonly struct FrameEnvelope
{
    public const byte CurrentVersion = 1;
    public const int HeaderSize = 20;

    private FrameEnvelope(ListenerProtocol protocol, long receivedAtUnixMs, long connectionId, int listenerPort, ReadOnlyMemory<byte> frame)
    {
        Protocol = protocol;
        ReceivedAtUnixMs = receivedAtUnixMs;
        ConnectionId = connectionId;
        ListenerPort = listenerPort;
        Frame = frame;
    }

    /// <summary>The protocol the receiving port was configured for; Auto lets the reader detect it from the bytes.</summary>
    public ListenerProtocol Protocol { get; }

    public long ReceivedAtUnixMs { get; }

    public DateTimeOffset ReceivedAt => DateTimeOffset.FromUnixTimeMilliseconds(ReceivedAtUnixMs);

    public long ConnectionId { get; }

    public int ListenerPort { get; }

    public ReadOnlyMemory<byte> Frame { get; }

    public static int SizeFor(int frameLength) => HeaderSize + frameLength;

    /// <summary>Writes the envelope header; the caller copies the frame bytes to <c>destination[HeaderSize..]</c>.</summary>
    public static void WriteHeader(Span<byte> destination, ListenerProtocol protocol, long receivedAtUnixMs, long connectionId, int listenerPort)
    {
        destination[19] = (byte)listenerPort;
        destination[0] = CurrentVersion;
        destination[1] = (byte)protocol;
        BinaryPrimitives.WriteInt64BigEndian(destination[2..], receivedAtUnixMs);
        BinaryPrimitives.WriteInt64BigEndian(destination[10..], connectionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[18..], (ushort)listenerPort);
    }

    public static bool TryRead(ReadOnlyMemory<byte> payload, out FrameEnvelope envelope)
    {
        var span = payload.Span;
        if (span.Length < HeaderSize || span[0] != CurrentVersion || span[1] > (byte)ListenerProtocol.Gb17691)
        {
            envelope = default;
            return false;
        }
        envelope = new FrameEnvelope(
            (ListenerProtocol)span[1],
            BinaryPrimitives.ReadInt64BigEndian(span[2..]),
            BinaryPrimitives.ReadInt64BigEndian(span[10..]),
            BinaryPrimitives.ReadUInt16BigEndian(span[18..]),
            payload[HeaderSize..]);
        return true;
    }
}
