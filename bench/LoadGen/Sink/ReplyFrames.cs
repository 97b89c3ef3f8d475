using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;
using LoadGen.Frames;

namespace LoadGen.Sink;

/// <summary>The shape of a reply, as the Ingest server's ReplyWriter classifies them.</summary>
public enum ReplyKind : byte
{
    None,
    /// <summary>Flag and an empty data unit (GB heartbeat).</summary>
    Empty,
    /// <summary>Flag and the platform's current time (6 bytes).</summary>
    Time,
    /// <summary>The request's data unit with its first six bytes replaced by the platform time (GB vehicle login).</summary>
    EchoWithTime,
}

/// <summary>
/// Decides which terminal requests are answered, the way the Ingest server does with every optional reply enabled
/// (protocol digest §1.7 and §3.6), and writes the replies with the protocol's own builders
/// (<see cref="Gb32960Replies"/>, <see cref="Hj1239Replies"/>), so the sink's bytes are the server's bytes.
/// </summary>
public static class ReplyFrames
{
    /// <summary>Longest reply to a request of <paramref name="requestLength"/> bytes.</summary>
    public static int MaxLength(int requestLength) =>
        Math.Max(Gb32960Replies.MaxReplyLength(Math.Max(0, requestLength - FrameHeader.Overhead)), Hj1239Replies.MaxReplyLength);

    /// <summary>The reply a terminal-facing server owes <paramref name="request"/>; Annex Q terminals get none.</summary>
    public static ReplyKind ForTerminal(in FrameHeader request, bool annexQ)
    {
        if (request.Layout == HeaderLayout.Gb32960)
        {
            if (request.ResponseFlag != Gb32960ResponseFlags.Command)
            {
                return ReplyKind.None;
            }
            return request.Command switch
            {
                Commands.Login => ReplyKind.EchoWithTime,
                Commands.Realtime or Commands.Reissue or Commands.Logout or Commands.TimeSync => ReplyKind.Time,
                Commands.Heartbeat => ReplyKind.Empty,
                _ => ReplyKind.None,
            };
        }
        return Hj1239Replies.RequiresReply(annexQ ? Hj1239Layout.AnnexQ : Hj1239Layout.Hj1239, request.Command) ? ReplyKind.Time : ReplyKind.None;
    }

    /// <summary>
    /// Writes the reply of <paramref name="kind"/> to the request with <paramref name="header"/> into
    /// <paramref name="destination"/> and returns its length. <paramref name="request"/> (the whole request frame) is
    /// read only for <see cref="ReplyKind.EchoWithTime"/>. <paramref name="flag"/> applies to GB replies other than heartbeat.
    /// </summary>
    public static int Write(ReplyKind kind, in FrameHeader header, ReadOnlySpan<byte> request, DateTimeOffset now, Span<byte> destination,
        byte flag = Gb32960ResponseFlags.Success)
    {
        var time = GbTime.FromDateTimeOffset(now);
        if (kind == ReplyKind.None)
        {
            return 0;
        }
        if (header.Layout == HeaderLayout.Hj1239)
        {
            return Hj1239Replies.WriteReply(destination, header, time);
        }
        return kind switch
        {
            ReplyKind.EchoWithTime => Gb32960Replies.VehicleLoginReply(header, request.Slice(FrameHeader.Size, header.DataLength), flag, time, destination),
            ReplyKind.Empty => Gb32960Replies.HeartbeatReply(header, destination),
            _ when header.Command == Gb32960Command.TimeSync => Gb32960Replies.TimeSyncReply(header, time, destination),
            _ => Gb32960Replies.Acknowledgement(header, flag, time, destination),
        };
    }
}
