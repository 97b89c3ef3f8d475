using System.Buffers;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Framing;

/// <summary>Writes whole frames: header, data unit and the check byte computed over command..data.</summary>
public static class FrameEncoding
{
    /// <summary>Writes a frame whose data unit is already encoded. The header's length is set from <paramref name="dataUnit"/>.</summary>
    public static int Write(IBufferWriter<byte> output, in FrameHeader header, ReadOnlySpan<byte> dataUnit)
    {
        int total = FrameHeader.Overhead + dataUnit.Length;
        var span = output.GetSpan(total);
        int written = Write(span, header, dataUnit);
        output.Advance(written);
        return written;
    }

    /// <summary>Writes a frame into <paramref name="destination"/> and returns its length.</summary>
    public static int Write(Span<byte> destination, in FrameHeader header, ReadOnlySpan<byte> dataUnit)
    {
        if (dataUnit.Length > FrameHeader.MaxDataLength)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(dataUnit), $"A data unit is at most {FrameHeader.MaxDataLength} bytes.");
        }
        int total = FrameHeader.Overhead + dataUnit.Length;
        header.WithDataLength(dataUnit.Length).Write(destination);
        dataUnit.CopyTo(destination[FrameHeader.Size..]);
        Seal(destination[..total]);
        return total;
    }

    /// <summary>Computes and stores the check byte of a frame whose header and data unit are in place.</summary>
    public static void Seal(Span<byte> frame) => frame[^1] = Bcc.Compute(frame[2..^1]);

    /// <summary>True when the last byte of <paramref name="frame"/> is the XOR of its command..data bytes.</summary>
    public static bool HasValidCheck(ReadOnlySpan<byte> frame) =>
        frame.Length >= FrameHeader.Overhead && Bcc.Compute(frame[2..^1]) == frame[^1];
}
