using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Ingest.Protocol.Primitives;

/// <summary>
/// The 17-byte identifier in every frame header, kept as bytes so the hot path never builds a string.
/// For vehicle frames it is the VIN; platform frames carry the platform's own code, and some terminals pad a
/// short id with 0x00. Equality is byte for byte, and so is the text form: two identifiers that differ in any byte
/// never get the same <see cref="ToString"/> (it keys storage, live state and logs).
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

    /// <summary>
    /// The inverse of <see cref="ToString"/>: up to 17 ASCII characters (padded with 0x00), or the
    /// <see cref="HexPrefix"/> form of an identifier that is not text.
    /// </summary>
    public static Vin Parse(string text)
    {
        var vin = default(Vin);
        var bytes = MemoryMarshal.CreateSpan(ref vin._first, Length);
        if (text.Length == HexTextLength && text.StartsWith(HexPrefix, StringComparison.Ordinal))
        {
            if (Convert.FromHexString(text.AsSpan(HexPrefix.Length), bytes, out _, out int written) != System.Buffers.OperationStatus.Done
                || written != Length)
            {
                Errors.ThrowHelper.Argument(nameof(text), $"A hex identifier is '{HexPrefix}' and {2 * Length} hex digits.");
            }
            return vin;
        }
        if (text.Length > Length || Encoding.ASCII.GetByteCount(text) != text.Length)
        {
            Errors.ThrowHelper.Argument(nameof(text), $"An identifier is at most {Length} ASCII characters.");
        }
        Encoding.ASCII.GetBytes(text, bytes);
        return vin;
    }

    /// <summary>Starts the text form of an identifier that is not printable text: "0x" and 34 hex digits.</summary>
    public const string HexPrefix = "0x";

    private const int HexTextLength = 2 + 2 * Length;

    /// <summary>
    /// True for 1 to 17 printable ASCII characters (0x20-0x7E) followed only by 0x00 padding: the identifiers real
    /// terminals send ("LZYTUGEW5G1059545", "123456789" + eight 0x00). A 0x00 followed by a character, or any byte
    /// outside printable ASCII, is not an identifier: the framer treats such a header as junk.
    /// </summary>
    public static bool IsText(ReadOnlySpan<byte> identifier) => TextLength(identifier) > 0 && IsPadded(identifier);

    /// <summary>
    /// What the framer accepts in a GB/T 32960 header: <see cref="IsText"/>, or all 0x00 (an unprovisioned terminal;
    /// its text form is the hex one). Anything else could only be stored by folding or trimming bytes, so it is junk.
    /// </summary>
    public static bool IsPadded(ReadOnlySpan<byte> identifier) => !identifier[TextLength(identifier)..].ContainsAnyExcept((byte)0);

    private static int TextLength(ReadOnlySpan<byte> identifier)
    {
        int end = identifier.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        return end < 0 ? identifier.Length : end;
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

    /// <summary>
    /// The identifier's characters without their 0x00 padding when it <see cref="IsText"/>; otherwise
    /// <see cref="HexPrefix"/> and all 17 bytes in hex. The two forms cannot meet (text is at most 17 characters, hex
    /// is 36), so different bytes always give different text: nothing is folded into '?' or trimmed away.
    /// </summary>
    public override readonly string ToString()
    {
        var span = AsSpan();
        if (!IsText(span))
        {
            return HexPrefix + Convert.ToHexString(span);
        }
        return string.Create(TextLength(span), this, static (chars, vin) =>
        {
            var bytes = vin.AsSpan();
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = (char)bytes[i];
            }
        });
    }
}
