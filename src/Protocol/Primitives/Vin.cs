using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Ingest.Protocol.Primitives;

/// <summary>
/// The 17-byte identifier in every frame header, kept as bytes so the hot path never builds a string.
/// For vehicle frames it is the VIN; platform frames carry the platform's own code, and some terminals pad a
/// short id with 0x00, so no character rule is enforced here (commands validate what they need).
/// </summary>
[InlineArray(Length)]
public struct Vin : IEquatable<Vin>
{
    public const int Length = 17;

    private byte _first;

    public static Vin Read(ReadOnlySpan<byte> source)
    {
        var vin = default(Vin);
        source[..Length].CopyTo(MemoryMarshal.CreateSpan(ref vin._first, Length));
        return vin;
    }

    public static Vin Parse(string text)
    {
        if (text.Length > Length || Encoding.ASCII.GetByteCount(text) != text.Length)
        {
            Errors.ThrowHelper.Argument(nameof(text), $"An identifier is at most {Length} ASCII characters.");
        }
        var vin = default(Vin);
        Encoding.ASCII.GetBytes(text, MemoryMarshal.CreateSpan(ref vin._first, Length));
        return vin;
    }

    [UnscopedRef]
    public readonly ReadOnlySpan<byte> AsSpan() => MemoryMarshal.CreateReadOnlySpan(in _first, Length);

    public readonly void Write(Span<byte> destination) => AsSpan().CopyTo(destination);

    /// <summary>True when every byte is an upper-case letter or digit other than I, O and Q (ISO 3779).</summary>
    public readonly bool IsWellFormedVin()
    {
        foreach (var b in AsSpan())
        {
            if (!(b is >= (byte)'0' and <= (byte)'9' || b is >= (byte)'A' and <= (byte)'Z') || b is (byte)'I' or (byte)'O' or (byte)'Q')
            {
                return false;
            }
        }
        return true;
    }

    public readonly bool Equals(Vin other) => AsSpan().SequenceEqual(other.AsSpan());

    public override readonly bool Equals(object? obj) => obj is Vin other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(AsSpan());
        return hash.ToHashCode();
    }

    public static bool operator ==(Vin left, Vin right) => left.Equals(right);

    public static bool operator !=(Vin left, Vin right) => !left.Equals(right);

    /// <summary>ASCII text with trailing 0x00 padding removed; other non-printable bytes shown as '?'.</summary>
    public override readonly string ToString()
    {
        var span = AsSpan();
        int end = span.Length;
        while (end > 0 && span[end - 1] == 0)
        {
            end--;
        }
        return string.Create(end, this, static (chars, vin) =>
        {
            var bytes = vin.AsSpan();
            for (int i = 0; i < chars.Length; i++)
            {
                byte b = bytes[i];
                chars[i] = b is >= 0x20 and < 0x7F ? (char)b : '?';
            }
        });
    }
}
