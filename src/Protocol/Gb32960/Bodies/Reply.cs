using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.Bodies;

/// <summary>
/// The data unit of a reply (response flag other than 0xFE) to any command whose reply has no richer layout:
/// login, realtime, reissue, logout, heartbeat, time sync, platform login/logout, parameter set, terminal control.
/// The standards only fix the time sync reply (6-byte time) and the heartbeat reply (empty); platforms answer the
/// others with the 6-byte time, optionally followed by an echo of the request (README §1.7). So: the first six
/// bytes are <see cref="Time"/> when present, everything after is kept raw in <see cref="Payload"/>.
/// </summary>
public sealed class Reply : Gb32960Body
{
    /// <summary>The platform time, or null when the data unit is shorter than six bytes (then all of it is payload).</summary>
    public GbTime? Time { get; init; }

    /// <summary>Bytes after the time (for a login reply, usually the echoed login), or the whole data unit when there is no time.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    public override int EncodedLength => (Time.HasValue ? GbTime.Size : 0) + Payload.Length;

    internal override void Write(ref BigEndianWriter w)
    {
        if (Time is { } time)
        {
            w.Time(time);
        }
        w.Bytes(Payload.Span);
    }

    internal static Reply Read(ReadOnlyMemory<byte> data) =>
        data.Length >= GbTime.Size
            ? new Reply { Time = GbTime.Read(data.Span), Payload = data[GbTime.Size..] }
            : new Reply { Payload = data };
}

/// <summary>
/// A data unit kept as bytes because it cannot be decoded: encrypted with no key, an unknown or custom command, or
/// a layout that failed to parse. Re-encodes unchanged, so such frames can still be spooled and relayed.
/// </summary>
public sealed class RawBody : Gb32960Body
{
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>Why the data unit was not decoded (Encrypted, UnknownCommand, Truncated, ...).</summary>
    public Errors.DecodeErrorKind Reason { get; init; }

    public override int EncodedLength => Data.Length;

    internal override void Write(ref BigEndianWriter w) => w.Bytes(Data.Span);
}
