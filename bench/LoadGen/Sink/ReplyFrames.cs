using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using LoadGen.Frames;

namespace LoadGen.Sink;

/// <summary>The shape of a reply, as the Ingest server's ReplyWriter builds them.</summary>
public enum ReplyKind : byte
{
    None,
    /// <summary>Flag and an empty data unit (GB heartbeat).</summary>
    Empty,
    /// <summary>Flag and the platform's current time (6 bytes).</summary>
    Time,
    /// <summary>The request's data unit with its first six bytes replaced by the platform time (GB vehicle/platform login).</summary>
    EchoWithTime,
}

/// <summary>
/// Builds replies the way the Ingest server does (protocol digest §1.7 and §3.6, every optional reply enabled):
/// GB/T 32960 repeats the command with a result flag, login echoes its data with the platform time, heartbeat
/// has no data, the rest carry the time; HJ 1239 repeats the command with the time; Annex Q answers nothing.
/// </summary>
public static class ReplyFrames
{
    /// <summary>Longest reply to a request of <paramref name="requestLength"/> bytes.</summary>
    public static int MaxLength(int requestLength) => Math.Max(requestLength, FrameHeader.Overhead + GbTime.Size);

    /// <summary>The reply a terminal-facing server owes <paramref name="request"/>.</summary>
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
        if (annexQ)
        {
            return ReplyKind.None;
        }
        return request.Command is >= Commands.Login and <= Commands.HjRemovalAlarm ? ReplyKind.Time : ReplyKind.None;
    }

    /// <summary>
    /// Writes the reply of <paramref name="kind"/> to the request with <paramref name="header"/> into
    /// <paramref name="destination"/> and returns its length. <paramref name="request"/> (the whole request frame) is
    /// read only for <see cref="ReplyKind.EchoWithTime"/>.
    /// </summary>
    public static int Write(ReplyKind kind, in FrameHeader header, ReadOnlySpan<byte> request, DateTimeOffset now, Span<byte> destination,
        byte flag = Gb32960ResponseFlags.Success)
    {
        if (kind == ReplyKind.None)
        {
            return 0;
        }
        int dataLength = kind switch
        {
            ReplyKind.Empty => 0,
            ReplyKind.EchoWithTime when header.Encryption == Gb32960Encryption.None && header.DataLength >= GbTime.Size => header.DataLength,
            _ => GbTime.Size,
        };
        var reply = header.WithResponse(flag, dataLength);
        reply.Write(destination);
        var data = destination.Slice(FrameHeader.Size, dataLength);
        if (dataLength > GbTime.Size)
        {
            request.Slice(FrameHeader.Size, dataLength).CopyTo(data);
        }
        if (dataLength >= GbTime.Size)
        {
            GbTime.FromDateTimeOffset(now).Write(data);
        }
        int total = FrameHeader.Overhead + dataLength;
        FrameEncoding.Seal(destination[..total]);
        return total;
    }
}
