using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239;

/// <summary>
/// Platform replies to terminals, built without allocation into a caller's span (README §3.6). The session builds
/// them from a decoded frame after the spool commit; the decoder never answers.
/// <para>HJ 1239 terminals wait for a frame with the same command and VIN after login, realtime, reissue, logout,
/// removal alarm and time sync; three sends without a reply within about 3 s make them redial [S]. The reply has
/// the same 24-byte header (there is no response-flag byte) and the platform time as its 6-byte data unit: the
/// time sync reply is defined that way (31 bytes) [S], for the others no source defines the content and the time is
/// the choice that every terminal seen accepts [I]. GB 17691 Annex Q terminals expect no reply at all.</para>
/// </summary>
public static class Hj1239Replies
{
    /// <summary>The largest reply built here: header + 6-byte time + check byte = 31 bytes.</summary>
    public const int MaxReplyLength = FrameHeader.Overhead + GbTime.Size;

    /// <summary>Length of an activation response (status + reason).</summary>
    public const int ActivationResponseLength = FrameHeader.Overhead + 2;

    /// <summary>
    /// Whether a terminal speaking <paramref name="layout"/> waits for a reply to <paramref name="command"/>; the
    /// default for the server's reply policy. <see cref="Hj1239Layout.Auto"/> answers like HJ 1239: a reply an Annex Q
    /// terminal ignores costs 31 bytes, a missing reply makes an HJ terminal redial.
    /// </summary>
    public static bool RequiresReply(Hj1239Layout layout, byte command) =>
        layout != Hj1239Layout.AnnexQ && command is Hj1239Command.Login or Hj1239Command.Realtime
            or Hj1239Command.Reissue or Hj1239Command.Logout or Hj1239Command.TimeSync or Hj1239Command.RemovalAlarm;

    /// <summary>
    /// Writes the reply to <paramref name="request"/>: same command, VIN and software version, no encryption, the
    /// platform time as data unit. Returns the length (always <see cref="MaxReplyLength"/>).
    /// </summary>
    public static int WriteReply(Span<byte> destination, in FrameHeader request, GbTime platformTime)
    {
        Span<byte> time = stackalloc byte[GbTime.Size];
        platformTime.Write(time);
        return WriteFrame(destination, request.Command, request.Vin, request.SoftwareVersion, time);
    }

    /// <summary>The time sync reply (0x05 with the platform time, 31 bytes); the same shape as <see cref="WriteReply"/>.</summary>
    public static int WriteTimeSyncReply(Span<byte> destination, Vin vin, byte softwareVersion, GbTime platformTime)
    {
        Span<byte> time = stackalloc byte[GbTime.Size];
        platformTime.Write(time);
        return WriteFrame(destination, Hj1239Command.TimeSync, vin, softwareVersion, time);
    }

    /// <summary>An activation response (0x08): status (0x01 success, 0x02 failure) and reason; 27 bytes.</summary>
    public static int WriteActivationResponse(Span<byte> destination, Vin vin, byte softwareVersion, byte status, byte reason)
    {
        Span<byte> data = [status, reason];
        return WriteFrame(destination, Hj1239Command.ActivationResponse, vin, softwareVersion, data);
    }

    /// <summary>
    /// Reads a reply as a terminal (or a simulator) sees it: a valid frame with a 6-byte time data unit. False for
    /// anything else, with the reason in <paramref name="error"/>.
    /// </summary>
    public static bool TryReadReply(ReadOnlySpan<byte> frame, out FrameHeader header, out GbTime platformTime, out DecodeError error)
    {
        platformTime = default;
        if (!WholeFrame.TryValidate(frame, Hj1239Decoder.WholeFrameOptions, out header, out error))
        {
            return false;
        }
        if (header.DataLength != GbTime.Size)
        {
            error = new DecodeError(DecodeErrorKind.Length, 22, GbTime.Size, header.DataLength);
            return false;
        }
        platformTime = GbTime.Read(frame[FrameHeader.Size..]);
        return true;
    }

    private static int WriteFrame(Span<byte> destination, byte command, Vin vin, byte softwareVersion, scoped ReadOnlySpan<byte> data)
    {
        var header = new FrameHeader(FrameMarker.Hash, HeaderLayout.Hj1239, command, 0, vin, softwareVersion,
            Gb32960Encryption.None, data.Length);
        if (destination.Length < header.FrameLength)
        {
            ThrowHelper.Argument(nameof(destination), $"A reply needs {header.FrameLength} bytes.");
        }
        return FrameEncoding.Write(destination, header, data);
    }
}
