using System.Buffers.Binary;
using Ingest.Protocol.Framing;

namespace Ingest.Fuzz.Targets;

/// <summary>Input helpers shared by the decoder targets.</summary>
public static class FrameBytes
{
    /// <summary>
    /// Makes the length field and check byte agree with the bytes given, so mutations reach the data-unit decoders
    /// instead of dying at the check byte (AFL cannot fix an XOR by itself). Inputs too short to hold a header stay as
    /// they are.
    /// </summary>
    public static void Reseal(Span<byte> frame)
    {
        if (frame.Length < FrameHeader.Overhead || frame.Length - FrameHeader.Overhead > ushort.MaxValue)
        {
            return;
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame[22..], (ushort)(frame.Length - FrameHeader.Overhead));
        FrameEncoding.Seal(frame);
    }
}
