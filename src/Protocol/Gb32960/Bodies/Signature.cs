using Ingest.Protocol.Errors;
using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.Bodies;

/// <summary>
/// A 2025 signature block (2025 §7.2.2, activation §7.7): algorithm BYTE, R length WORD, R, S length WORD, S.
/// In realtime/reissue data units it follows the 0xFF starter and covers the bytes from the time through the last
/// item. RSA puts the whole signature in R and leaves S empty. Kept raw; verification is the caller's business.
/// </summary>
public sealed class Gb32960Signature
{
    public const byte Sm2 = 0x01;
    public const byte Rsa = 0x02;
    public const byte Ecc = 0x03;

    /// <summary>The smallest block: algorithm plus two empty length-prefixed values.</summary>
    public const int MinLength = 5;

    public byte Algorithm { get; init; }

    public ReadOnlyMemory<byte> R { get; init; }

    public ReadOnlyMemory<byte> S { get; init; }

    public int EncodedLength => MinLength + R.Length + S.Length;

    public static string AlgorithmName(byte algorithm) => algorithm switch
    {
        Sm2 => "sm2",
        Rsa => "rsa",
        Ecc => "ecc",
        _ => "unknown",
    };

    internal void Write(ref BigEndianWriter w)
    {
        Check.Count(R.Length, ushort.MaxValue, nameof(R));
        Check.Count(S.Length, ushort.MaxValue, nameof(S));
        w.Byte(Algorithm);
        w.UInt16((ushort)R.Length);
        w.Bytes(R.Span);
        w.UInt16((ushort)S.Length);
        w.Bytes(S.Span);
    }

    /// <summary>Reads a block starting at <paramref name="start"/>; <paramref name="end"/> is where it stops.</summary>
    internal static DecodeError TryRead(ReadOnlyMemory<byte> data, int start, out Gb32960Signature? signature, out int end)
    {
        signature = null;
        var error = Measure(data.Span, start, out int rAt, out int rLength, out int sAt, out int sLength, out end);
        if (error.IsError)
        {
            return error;
        }
        signature = new Gb32960Signature
        {
            Algorithm = data.Span[start],
            R = data.Slice(rAt, rLength),
            S = data.Slice(sAt, sLength),
        };
        return default;
    }

    /// <summary>Where the parts of a block starting at <paramref name="start"/> lie, without allocating; the error <see cref="TryRead"/> gives.</summary>
    internal static DecodeError Measure(ReadOnlySpan<byte> data, int start, out int rAt, out int rLength, out int sAt, out int sLength, out int end)
    {
        rAt = rLength = sAt = sLength = 0;
        end = start;
        var r = new SpanReader(data[start..]);
        int length = data.Length;
        if (!r.TryReadByte(out _))
        {
            return BodyErrors.Truncated(start, 1, length);
        }
        if (!r.TryReadUInt16(out ushort rWord))
        {
            return BodyErrors.Truncated(start + r.Position, 2, length);
        }
        rAt = start + r.Position;
        rLength = rWord;
        if (!r.TrySkip(rLength))
        {
            return BodyErrors.Truncated(rAt, rLength, length);
        }
        if (!r.TryReadUInt16(out ushort sWord))
        {
            return BodyErrors.Truncated(start + r.Position, 2, length);
        }
        sAt = start + r.Position;
        sLength = sWord;
        if (!r.TrySkip(sLength))
        {
            return BodyErrors.Truncated(sAt, sLength, length);
        }
        end = start + r.Position;
        return default;
    }

    /// <summary>True when a signature block starting at <paramref name="start"/> ends exactly at the end of <paramref name="data"/>.</summary>
    internal static bool EndsExactlyAt(ReadOnlySpan<byte> data, int start)
    {
        int rest = data.Length - start;
        if (rest < MinLength)
        {
            return false;
        }
        int rLength = data[start + 1] << 8 | data[start + 2];
        int sAt = start + 3 + rLength;
        if (sAt + 2 > data.Length)
        {
            return false;
        }
        int sLength = data[sAt] << 8 | data[sAt + 1];
        return sAt + 2 + sLength == data.Length;
    }
}
