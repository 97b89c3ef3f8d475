using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960;

/// <summary>
/// Builds the frames a platform sends, straight into a caller's span with no allocation: replies to terminal
/// requests (README §1.7) and our own uplink frames when we log in to a superior platform (2016 Annex B). Every
/// builder returns the frame length. A destination that is too small is a caller bug and throws; size it with
/// <see cref="MaxReplyLength"/> (replies) or <see cref="PlatformLoginLength"/> (uplink).
/// </summary>
/// <remarks>
/// Replies keep the request's marker (so its edition), command and identifier, carry the given response flag and
/// always say encryption 0x01 (plain). The session decides when to reply (after the spool commit) and with which flag.
/// </remarks>
public static class Gb32960Replies
{
    /// <summary>
    /// Largest reply to a request whose data unit is <paramref name="requestDataLength"/> bytes: the login reply
    /// echoes the request data, every other reply carries at most the 6-byte time.
    /// </summary>
    public static int MaxReplyLength(int requestDataLength) => FrameHeader.Overhead + Math.Max(requestDataLength, GbTime.Size);

    /// <summary>Size of a platform login frame (66 bytes).</summary>
    public const int PlatformLoginLength = FrameHeader.Overhead + Bodies.PlatformLogin.Size;

    /// <summary>Size of a platform logout frame (33 bytes).</summary>
    public const int PlatformLogoutLength = FrameHeader.Overhead + GbTime.Size + 2;

    /// <summary>Size of a heartbeat frame (25 bytes).</summary>
    public const int HeartbeatLength = FrameHeader.Overhead;

    /// <summary>
    /// Vehicle login reply (0x01): the request's data unit with its first six bytes replaced by the platform time
    /// (EMQX's form; terminals generally check only command and flag). When the request data is shorter than six
    /// bytes or was encrypted, the reply carries the time alone. <paramref name="flag"/> is 0x01 success, 0x02 error,
    /// 0x03 VIN duplicate, ... (<see cref="Gb32960ResponseFlags"/>).
    /// </summary>
    public static int VehicleLoginReply(in FrameHeader request, ReadOnlySpan<byte> requestData, byte flag, GbTime platformTime,
        Span<byte> destination)
    {
        var echo = requestData.Length >= GbTime.Size && request.Encryption == Gb32960Encryption.None
            ? requestData[GbTime.Size..]
            : [];
        return Write(destination, request, flag, platformTime, echo);
    }

    /// <summary>Vehicle login reply built from the whole request frame (see the header/data overload).</summary>
    public static int VehicleLoginReply(ReadOnlySpan<byte> requestFrame, byte flag, GbTime platformTime, Span<byte> destination)
    {
        var header = RequestHeader(requestFrame);
        return VehicleLoginReply(header, requestFrame.Slice(FrameHeader.Size, header.DataLength), flag, platformTime, destination);
    }

    /// <summary>Heartbeat reply (0x07): flag 0x01, empty data unit.</summary>
    public static int HeartbeatReply(in FrameHeader request, Span<byte> destination) =>
        Write(destination, request, Gb32960ResponseFlags.Success, null, []);

    /// <summary>Time sync reply (0x08): flag 0x01, data unit = the platform's current time (Beijing time).</summary>
    public static int TimeSyncReply(in FrameHeader request, GbTime platformTime, Span<byte> destination) =>
        Write(destination, request, Gb32960ResponseFlags.Success, platformTime, []);

    /// <summary>
    /// Acknowledgement of a realtime (0x02), reissue (0x03) or vehicle logout (0x04) frame, or of a platform logout
    /// (0x06) when we are the superior platform: the given flag and the 6-byte platform time.
    /// </summary>
    public static int Acknowledgement(in FrameHeader request, byte flag, GbTime platformTime, Span<byte> destination) =>
        Write(destination, request, flag, platformTime, []);

    /// <summary>
    /// Platform login reply (0x05) when we are the superior platform: the flag (0x01 accepted, 0x02 rejected) and the
    /// platform time. The request is not echoed: it holds the password.
    /// </summary>
    public static int PlatformLoginReply(in FrameHeader request, byte flag, GbTime platformTime, Span<byte> destination) =>
        Write(destination, request, flag, platformTime, []);

    /// <summary>
    /// Our platform login (0x05) to a superior platform: time, daily serial, username (at most 12 ASCII characters)
    /// and password (at most 20), both padded with 0x00, and the encryption rule we will use. <paramref name="platformId"/>
    /// is our platform's unique code, sent in the identifier field.
    /// </summary>
    public static int PlatformLogin(Span<byte> destination, Gb32960Edition edition, Vin platformId, GbTime time, ushort serial,
        string username, string password, byte encryptionRule = Gb32960Encryption.None)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        var frame = Begin(destination, edition, Gb32960Command.PlatformLogin, platformId, Bodies.PlatformLogin.Size);
        var data = frame[FrameHeader.Size..];
        time.Write(data);
        data[6] = (byte)(serial >> 8);
        data[7] = (byte)serial;
        Internal.Ascii.WriteFixed(username, data.Slice(8, Bodies.PlatformLogin.UsernameLength), nameof(username));
        Internal.Ascii.WriteFixed(password, data.Slice(8 + Bodies.PlatformLogin.UsernameLength, Bodies.PlatformLogin.PasswordLength), nameof(password));
        data[Bodies.PlatformLogin.Size - 1] = encryptionRule;
        FrameEncoding.Seal(frame);
        return frame.Length;
    }

    /// <summary>Our platform logout (0x06): time and the serial of the platform login it closes.</summary>
    public static int PlatformLogout(Span<byte> destination, Gb32960Edition edition, Vin platformId, GbTime time, ushort serial)
    {
        var frame = Begin(destination, edition, Gb32960Command.PlatformLogout, platformId, GbTime.Size + 2);
        time.Write(frame[FrameHeader.Size..]);
        frame[FrameHeader.Size + 6] = (byte)(serial >> 8);
        frame[FrameHeader.Size + 7] = (byte)serial;
        FrameEncoding.Seal(frame);
        return frame.Length;
    }

    /// <summary>Our heartbeat (0x07) on a superior-platform link: empty data unit.</summary>
    public static int Heartbeat(Span<byte> destination, Gb32960Edition edition, Vin platformId)
    {
        var frame = Begin(destination, edition, Gb32960Command.Heartbeat, platformId, 0);
        FrameEncoding.Seal(frame);
        return frame.Length;
    }

    private static Span<byte> Begin(Span<byte> destination, Gb32960Edition edition, byte command, Vin id, int dataLength)
    {
        int total = FrameHeader.Overhead + dataLength;
        if (destination.Length < total)
        {
            ThrowHelper.Argument(nameof(destination), $"The frame needs {total} bytes.");
        }
        var header = new FrameHeader(edition.Marker(), HeaderLayout.Gb32960, command, Gb32960ResponseFlags.Command, id, 0,
            Gb32960Encryption.None, dataLength);
        var frame = destination[..total];
        header.Write(frame);
        return frame;
    }

    private static int Write(Span<byte> destination, in FrameHeader request, byte flag, GbTime? time, ReadOnlySpan<byte> rest)
    {
        if (request.Layout != HeaderLayout.Gb32960)
        {
            ThrowHelper.Argument(nameof(request), "Not a GB/T 32960 request.");
        }
        int length = (time.HasValue ? GbTime.Size : 0) + rest.Length;
        int total = FrameHeader.Overhead + length;
        if (destination.Length < total)
        {
            ThrowHelper.Argument(nameof(destination), $"The reply needs {total} bytes; size it with MaxReplyLength.");
        }
        var frame = destination[..total];
        request.WithResponse(flag, length).Write(frame);
        int at = FrameHeader.Size;
        if (time is { } t)
        {
            t.Write(frame[at..]);
            at += GbTime.Size;
        }
        rest.CopyTo(frame[at..]);
        FrameEncoding.Seal(frame);
        return total;
    }

    private static FrameHeader RequestHeader(ReadOnlySpan<byte> requestFrame)
    {
        if (requestFrame.Length < FrameHeader.Overhead)
        {
            ThrowHelper.Argument(nameof(requestFrame), "Not a whole frame.");
        }
        var header = FrameHeader.Read(requestFrame, HeaderLayout.Gb32960);
        if (header.FrameLength > requestFrame.Length)
        {
            ThrowHelper.Argument(nameof(requestFrame), "The frame is shorter than its length field says.");
        }
        return header;
    }
}
