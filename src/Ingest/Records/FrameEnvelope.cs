using System.Buffers.Binary;
using Ingest.Hosting;

namespace Ingest.Records;

/// <summary>
/// What the spool stores for each accepted frame: the frame's bytes exactly as received plus what only the
/// receiving session knows (when, on which port, which protocol the port speaks, which connection).
/// Layout (big-endian): version(1) protocol+flags(1) receivedAtUnixMs(8) connectionId(8) listenerPort(2) frame(N).
/// The protocol takes the low four bits of its byte and <see cref="EnvelopeFlags"/> the high four.
/// </summary>
public readonly struct FrameEnvelope
{
    public const byte CurrentVersion = 1;
    public const int HeaderSize = 20;

    private const byte ProtocolMask = 0x0F;

    private FrameEnvelope(ListenerProtocol protocol, EnvelopeFlags flags, long receivedAtUnixMs, long connectionId, int listenerPort, ReadOnlyMemory<byte> frame)
    {
        Protocol = protocol;
        Flags = flags;
        ReceivedAtUnixMs = receivedAtUnixMs;
        ConnectionId = connectionId;
        ListenerPort = listenerPort;
        Frame = frame;
    }

    /// <summary>The protocol the receiving port was configured for; Auto lets the reader detect it from the bytes.</summary>
    public ListenerProtocol Protocol { get; }

    /// <summary>What the receiving session knew about the frame beyond its bytes (admission, signature verdict).</summary>
    public EnvelopeFlags Flags { get; }

    public long ReceivedAtUnixMs { get; }

    public DateTimeOffset ReceivedAt => DateTimeOffset.FromUnixTimeMilliseconds(ReceivedAtUnixMs);

    public long ConnectionId { get; }

    public int ListenerPort { get; }

    public ReadOnlyMemory<byte> Frame { get; }

    public static int SizeFor(int frameLength) => HeaderSize + frameLength;

    /// <summary>Writes the envelope header; the caller copies the frame bytes to <c>destination[HeaderSize..]</c>.</summary>
    public static void WriteHeader(Span<byte> destination, ListenerProtocol protocol, long receivedAtUnixMs, long connectionId, int listenerPort,
        EnvelopeFlags flags = EnvelopeFlags.None)
    {
        destination[19] = (byte)listenerPort;
        destination[0] = CurrentVersion;
        destination[1] = (byte)((byte)protocol | (byte)flags);
        BinaryPrimitives.WriteInt64BigEndian(destination[2..], receivedAtUnixMs);
        BinaryPrimitives.WriteInt64BigEndian(destination[10..], connectionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[18..], (ushort)listenerPort);
    }

    /// <summary>The flags of an envelope header written by <see cref="WriteHeader"/>.</summary>
    public static EnvelopeFlags ReadFlags(ReadOnlySpan<byte> header) => (EnvelopeFlags)(header[1] & ~ProtocolMask);

    public static bool TryRead(ReadOnlyMemory<byte> payload, out FrameEnvelope envelope)
    {
        var span = payload.Span;
        if (span.Length < HeaderSize || span[0] != CurrentVersion || (span[1] & ProtocolMask) > (byte)ListenerProtocol.Gb17691)
        {
            envelope = default;
            return false;
        }
        envelope = new FrameEnvelope(
            (ListenerProtocol)(span[1] & ProtocolMask),
            (EnvelopeFlags)(span[1] & ~ProtocolMask),
            BinaryPrimitives.ReadInt64BigEndian(span[2..]),
            BinaryPrimitives.ReadInt64BigEndian(span[10..]),
            BinaryPrimitives.ReadUInt16BigEndian(span[18..]),
            payload[HeaderSize..]);
        return true;
    }
}

/// <summary>
/// Facts about an accepted frame that only the receiving session knows, kept in the high four bits of the envelope's
/// protocol byte. All clear is what every envelope written before these flags existed reads as.
/// </summary>
[Flags]
public enum EnvelopeFlags : byte
{
    None = 0,

    /// <summary>The VIN was not in the registry when the frame was accepted (an <c>open</c> listener): stored, but
    /// relayed to a superior platform only when its link asks for unfiled vehicles.</summary>
    Unfiled = 0x10,

    /// <summary>Two bits for the SM2 signature check (<see cref="SignatureVerdictMask"/>), read and written through
    /// <see cref="Signatures.EnvelopeSignatures"/>: 0 not checked (policy Off), 1 valid and 2 refused (checked by a
    /// Reject session before acknowledging), 3 left to the ClickHouse sink (Flag).</summary>
    SignatureVerdictLow = 0x20,
    SignatureVerdictHigh = 0x40,
    SignatureVerdictMask = SignatureVerdictLow | SignatureVerdictHigh,

    /// <summary>Reserved for the next fact; readers ignore it.</summary>
    Reserved = 0x80,
}
