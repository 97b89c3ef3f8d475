using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Ingest.Protocol.Primitives;

/// <summary>
/// The block check character both standards use: XOR of every byte from the command id through the last
/// data-unit byte (GB/T 32960.3 §6.2, HJ 1239.2 §6.2).
/// </summary>
public static class Bcc
{
    public static byte Compute(ReadOnlySpan<byte> bytes)
    {
        // Vector XOR first: a 558-byte realtime frame is the common case and this keeps it to a few dozen ops.
        ulong acc = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && bytes.Length >= Vector<byte>.Count * 2)
        {
            var vectors = MemoryMarshal.Cast<byte, Vector<byte>>(bytes);
            var v = Vector<byte>.Zero;
            foreach (ref readonly var item in vectors)
            {
                v ^= item;
            }
            var lanes = MemoryMarshal.Cast<Vector<byte>, ulong>(MemoryMarshal.CreateReadOnlySpan(ref v, 1));
            foreach (var lane in lanes)
            {
                acc ^= lane;
            }
            i = vectors.Length * Vector<byte>.Count;
        }
        var words = MemoryMarshal.Cast<byte, ulong>(bytes[i..]);
        foreach (var w in words)
        {
            acc ^= w;
        }
        i += words.Length * sizeof(ulong);
        acc ^= acc >> 32;
        acc ^= acc >> 16;
        acc ^= acc >> 8;
        byte result = (byte)acc;
        for (; i < bytes.Length; i++)
        {
            result ^= bytes[i];
        }
        return result;
    }

    public static byte Compute(in ReadOnlySequence<byte> bytes)
    {
        if (bytes.IsSingleSegment)
        {
            return Compute(bytes.FirstSpan);
        }
        byte result = 0;
        foreach (var segment in bytes)
        {
            result ^= Compute(segment.Span);
        }
        return result;
    }
}
