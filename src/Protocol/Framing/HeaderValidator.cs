using Ingest.Protocol.Errors;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Framing;

/// <summary>
/// Decides whether 24 bytes after a marker can be a real header, and which layout they use, before any length is
/// trusted. The checks are the ones real frames always satisfy: a known command, a known flag or a VIN character at
/// byte 3, identifier bytes that are printable (or trailing zero padding), a known encryption byte, a length within limits.
/// </summary>
internal static class HeaderValidator
{
    public static DecodeErrorKind Validate(ReadOnlySpan<byte> header, FramingOptions options, out FrameHeader result)
    {
        result = default;
        byte marker = header[0];
        if (header[1] != marker)
        {
            return DecodeErrorKind.Header;
        }
        HeaderLayout layout;
        if (marker == (byte)FrameMarker.Dollar)
        {
            if (!options.Accepts(AcceptedProtocols.Gb32960v2025))
            {
                return DecodeErrorKind.Header;
            }
            layout = HeaderLayout.Gb32960;
        }
        else if (marker != (byte)FrameMarker.Hash)
        {
            return DecodeErrorKind.Header;
        }
        // Byte 3 tells the layouts apart: GB/T 32960 puts a response flag (0x01-0x07, 0xFE) there, HJ 1239 the
        // first VIN character, and no VIN character is a valid flag.
        else if (Gb32960Flag(header[3]))
        {
            if (!options.Accepts(AcceptedProtocols.Gb32960v2016))
            {
                return DecodeErrorKind.Header;
            }
            layout = HeaderLayout.Gb32960;
        }
        else
        {
            if (!options.Accepts(AcceptedProtocols.Hj1239))
            {
                return DecodeErrorKind.Header;
            }
            layout = HeaderLayout.Hj1239;
        }

        byte command = header[2];
        if (layout == HeaderLayout.Gb32960)
        {
            if (!Gb32960Command(command, marker == (byte)FrameMarker.Dollar, options.AllowCustomCommands)
                || !IdentifierBytes(header.Slice(4, 17)))
            {
                return DecodeErrorKind.Header;
            }
        }
        else if (!Hj1239Command(command) || !VinCharacters(header.Slice(3, 17)))
        {
            return DecodeErrorKind.Header;
        }
        if (!Gb32960Encryption.IsKnown(header[21]))
        {
            return DecodeErrorKind.Header;
        }
        result = FrameHeader.Read(header, layout);
        if (result.DataLength > FrameHeader.MaxDataLength || result.FrameLength > options.MaxFrameBytes)
        {
            return DecodeErrorKind.Length;
        }
        return DecodeErrorKind.None;
    }

    private static bool Gb32960Flag(byte flag) => Gb32960ResponseFlags.IsKnown(flag);

    private static bool Gb32960Command(byte command, bool edition2025, bool allowCustom) => command switch
    {
        >= 0x01 and <= 0x08 => true,
        >= 0x09 and <= 0x0B => edition2025,
        >= 0x80 and <= 0x82 => true,
        >= 0xC0 and <= 0xFE => allowCustom,
        _ => false,
    };

    private static bool Hj1239Command(byte command) => command is >= 0x01 and <= 0x08 or >= 0x80 and <= 0x82;

    /// <summary>
    /// GB/T 32960 identifiers: printable ASCII, with 0x00 only as padding after a short code (or all of it). A 0x00
    /// between characters is refused here rather than stored: such bytes used to be stored as '?' or trimmed, the
    /// same text as another vehicle's.
    /// </summary>
    private static bool IdentifierBytes(ReadOnlySpan<byte> id) => Vin.IsPadded(id);

    /// <summary>HJ 1239 VINs: letters and digits only, the check that keeps payload bytes from passing as a header.</summary>
    private static bool VinCharacters(ReadOnlySpan<byte> vin)
    {
        foreach (byte b in vin)
        {
            if (b is not (>= (byte)'0' and <= (byte)'9' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z'))
            {
                return false;
            }
        }
        return true;
    }
}
