using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;

namespace Ingest.Sessions;

/// <summary>
/// Decides whether an accepted frame is answered (the listener's reply policy over what each protocol allows)
/// and writes the answer. Called only after the frame is durable in the spool: the decoder never acknowledges.
/// </summary>
public sealed class ReplyWriter
{
    private readonly TimeProvider _time;

    public ReplyWriter(TimeProvider time) => _time = time;

    /// <summary>Room a reply needs: a GB login reply echoes the request's data unit, every other reply is at most 31 bytes.</summary>
    public static int MaxReplyLength(in FrameHeader request) =>
        Math.Max(Gb32960Replies.MaxReplyLength(request.DataLength), Hj1239Replies.MaxReplyLength);

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

    /// <summary>
    /// Writes the login-failure reply for a login that admission refused, where the protocol has one: GB/T 32960
    /// answers the login with response flag 0x02 (error). HJ 1239 has no failure flag in its login reply (every reply
    /// carries only the platform time), so an HJ terminal is closed without an answer, which it treats as a failed
    /// login. Returns 0 when there is nothing to send.
    /// </summary>
    public int WriteRefusal(ListenerRuntime listener, in FrameHeader header, ReadOnlySpan<byte> frame, Span<byte> destination)
    {
        if (header.Layout != HeaderLayout.Gb32960 || Classify(listener, header) != ReplyKind.EchoWithTime)
        {
            return 0;
        }
        var now = GbTime.FromDateTimeOffset(_time.GetUtcNow());
        return Gb32960Replies.VehicleLoginReply(header, frame.Slice(FrameHeader.Size, header.DataLength), Gb32960ResponseFlags.Error, now, destination);
    }

    /// <summary>Writes the reply for <paramref name="frame"/> into <paramref name="destination"/>; returns its length.</summary>
    public int Write(ReplyKind kind, in FrameHeader header, ReadOnlySpan<byte> frame, Span<byte> destination)
    {
        if (kind == ReplyKind.None)
        {
            return 0;
        }
        var now = GbTime.FromDateTimeOffset(_time.GetUtcNow());
        if (header.Layout == HeaderLayout.Hj1239)
        {
            return Hj1239Replies.WriteReply(destination, header, now);
        }
        return kind switch
        {
            ReplyKind.EchoWithTime => Gb32960Replies.VehicleLoginReply(header, frame.Slice(FrameHeader.Size, header.DataLength),
                Gb32960ResponseFlags.Success, now, destination),
            ReplyKind.Empty => Gb32960Replies.HeartbeatReply(header, destination),
            _ when header.Command == Gb32960Command.TimeSync => Gb32960Replies.TimeSyncReply(header, now, destination),
            _ => Gb32960Replies.Acknowledgement(header, Gb32960ResponseFlags.Success, now, destination),
        };
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
