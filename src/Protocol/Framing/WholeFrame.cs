using Ingest.Protocol.Errors;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Framing;

/// <summary>
/// Checks bytes that are known to be exactly one frame (a line of a capture file, a spool record), as opposed to a
/// stream: here the end of input is known, so a declared length that disagrees with the size is an error rather
/// than a reason to wait.
/// </summary>
public static class WholeFrame
{
    public static bool TryValidate(ReadOnlySpan<byte> frame, FramingOptions options, out FrameHeader header, out DecodeError error)
    {
        header = default;
        if (frame.Length < FrameHeader.Overhead)
        {
            error = new DecodeError(DecodeErrorKind.Truncated, frame.Length, FrameHeader.Overhead, frame.Length);
            return false;
        }
        var verdict = HeaderValidator.Validate(frame[..FrameHeader.Size], options, out header);
        if (verdict == DecodeErrorKind.Header)
        {
            error = new DecodeError(DecodeErrorKind.Header, 0);
            return false;
        }
        // The check byte is the last byte of what was given: a frame whose length field lies still fails here,
        // and the two failures are told apart (checksum vs length) so that a mislabelled frame is not called corrupt.
        byte expected = Bcc.Compute(frame[2..^1]);
        if (expected != frame[^1])
        {
            error = new DecodeError(DecodeErrorKind.Checksum, frame.Length - 1, expected, frame[^1]);
            return false;
        }
        if (header.FrameLength != frame.Length)
        {
            error = new DecodeError(DecodeErrorKind.Length, 22, frame.Length - FrameHeader.Overhead, header.DataLength);
            return false;
        }
        if (verdict == DecodeErrorKind.Length)
        {
            error = new DecodeError(DecodeErrorKind.Length, 22, options.MaxFrameBytes - FrameHeader.Overhead, header.DataLength);
            return false;
        }
        error = default;
        return true;
    }
}
