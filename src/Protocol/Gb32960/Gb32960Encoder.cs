using System.Buffers;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960.Internal;

namespace Ingest.Protocol.Gb32960;

/// <summary>
/// Writes a <see cref="Gb32960Frame"/> as bytes: the exact inverse of <see cref="Gb32960Decoder"/>, so every decoded
/// frame re-encodes byte for byte. The header's length field and the check byte are computed from the body.
/// </summary>
public static class Gb32960Encoder
{
    /// <summary>Whole frame size in bytes: 25 + the body's data-unit length.</summary>
    public static int GetEncodedLength(Gb32960Frame frame) => FrameHeader.Overhead + frame.Body.EncodedLength;

    /// <summary>Writes the frame into <paramref name="output"/> and returns the number of bytes written.</summary>
    public static int Encode(Gb32960Frame frame, IBufferWriter<byte> output)
    {
        int total = GetEncodedLength(frame);
        int written = Encode(frame, output.GetSpan(total));
        output.Advance(written);
        return written;
    }

    /// <summary>Writes the frame into <paramref name="destination"/> (at least <see cref="GetEncodedLength"/> bytes) and returns its length.</summary>
    public static int Encode(Gb32960Frame frame, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(frame);
        int length = frame.Body.EncodedLength;
        if (length > FrameHeader.MaxDataLength)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(frame), $"A data unit is at most {FrameHeader.MaxDataLength} bytes, this one is {length}.");
        }
        int total = FrameHeader.Overhead + length;
        if (destination.Length < total)
        {
            ThrowHelper.Argument(nameof(destination), $"The frame needs {total} bytes.");
        }
        var span = destination[..total];
        frame.Header.WithDataLength(length).Write(span);
        var writer = new BigEndianWriter(span.Slice(FrameHeader.Size, length));
        frame.Body.Write(ref writer);
        if (writer.Position != length)
        {
            ThrowHelper.InvalidOperation($"{frame.Body.GetType().Name} wrote {writer.Position} bytes but measured {length}.");
        }
        FrameEncoding.Seal(span);
        return total;
    }

    /// <summary>Convenience for tools and tests: the frame as a new array.</summary>
    public static byte[] Encode(Gb32960Frame frame)
    {
        var bytes = new byte[GetEncodedLength(frame)];
        Encode(frame, bytes.AsSpan());
        return bytes;
    }
}
