using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;

namespace Ingest.Sessions;

/// <summary>
/// Decides whether an accepted frame is answered (the listener's reply policy over what each protocol allows)
/// and writes the answer. Called only after the frame is durable in the spool: the decoder never acknowledges.
/// </summary>
public sealed class ReplyWriter
{
    /// <summary>A reply is never longer than this plus the request: login echoes the request's data unit.</summary>
    public const int ShortReplyBytes = FrameHeader.Overhead + GbTime.Size;

    private readonly TimeProvider _time;

    public ReplyWriter(TimeProvider time) => _time = time;

    public static int MaxReplyLength(int requestFrameLength) => Math.Max(requestFrameLength, ShortReplyBytes);

    public static ReplyKind Classify(ListenerRuntime listener, in FrameHeader header)
    {
        var policy = listener.Options.Replies;
        if (header.Layout == HeaderLayout.Gb32960)
        {
            if (header.ResponseFlag != Gb32960ResponseFlags.Command)
            {
                return ReplyKind.None; // a terminal's answer to one of our downlink commands
            }
            return header.Command switch
            {
                0x01 when policy.Login => ReplyKind.EchoWithTime,
                0x02 when policy.Realtime => ReplyKind.Time,
                0x03 when policy.Reissue => ReplyKind.Time,
                0x04 when policy.Logout => ReplyKind.Time,
                0x07 when policy.Heartbeat => ReplyKind.Empty,
                0x08 when policy.TimeSync => ReplyKind.Time,
                _ => ReplyKind.None,
            };
        }
        if (listener.Options.Protocol == ListenerProtocol.Gb17691)
        {
            return ReplyKind.None; // Annex Q terminals expect no answers
        }
        return header.Command switch
        {
            0x01 when policy.Login => ReplyKind.Time,
            0x02 when policy.Realtime => ReplyKind.Time,
            0x03 when policy.Reissue => ReplyKind.Time,
            0x04 when policy.Logout => ReplyKind.Time,
            0x05 when policy.TimeSync => ReplyKind.Time,
            0x06 when policy.RemovalAlarm => ReplyKind.Time,
            _ => ReplyKind.None,
        };
    }

    /// <summary>Writes the reply for <paramref name="frame"/> into <paramref name="destination"/>; returns its length.</summary>
    public int Write(ReplyKind kind, in FrameHeader header, ReadOnlySpan<byte> frame, Span<byte> destination)
    {
        if (kind == ReplyKind.None)
        {
            return 0;
        }
        var now = GbTime.FromDateTimeOffset(_time.GetUtcNow());
        int dataLength = kind switch
        {
            ReplyKind.Empty => 0,
            // Encrypted login data cannot be edited in place; the terminal checks command and flag only.
            ReplyKind.EchoWithTime when header.Encryption == Gb32960Encryption.None && header.DataLength >= GbTime.Size => header.DataLength,
            _ => GbTime.Size,
        };
        var reply = header.WithResponse(Gb32960ResponseFlags.Success, dataLength);
        reply.Write(destination);
        var data = destination.Slice(FrameHeader.Size, dataLength);
        if (dataLength > GbTime.Size)
        {
            frame.Slice(FrameHeader.Size, dataLength).CopyTo(data);
        }
        if (dataLength >= GbTime.Size)
        {
            now.Write(data);
        }
        int total = FrameHeader.Overhead + dataLength;
        FrameEncoding.Seal(destination[..total]);
        return total;
    }
}

public enum ReplyKind : byte
{
    None,
    /// <summary>Flag 0x01 and an empty data unit (GB/T 32960 heartbeat).</summary>
    Empty,
    /// <summary>Flag 0x01 (GB) and the platform's current time as the data unit.</summary>
    Time,
    /// <summary>The request's data unit with its first six bytes replaced by the platform time (GB/T 32960 login).</summary>
    EchoWithTime,
}
