using Ingest.Protocol.Primitives;

namespace Ingest.Projection;

/// <summary>
/// Text columns made from fixed-width byte fields without building strings: each method writes the bytes the
/// protocol's display text (<c>Vin.ToString</c>, <c>AsciiText.Trimmed</c>, ...) would encode to in UTF-8, into a
/// caller-supplied buffer, and returns the part to store. Printable ASCII comes out unchanged, so the common case
/// is a copy.
/// </summary>
internal static class RowText
{
    private const byte Replacement = (byte)'?';

    /// <summary>Bytes a VIN's text can take: <see cref="Vin.HexPrefix"/> and 17 bytes in hex.</summary>
    public const int IdentifierBytes = 2 + 2 * Vin.Length;

    /// <summary>
    /// As <c>Vin.ToString()</c>: a text identifier without its trailing 0x00 padding; anything else as
    /// <see cref="Vin.HexPrefix"/> and all its bytes in hex, so different bytes never share a name
    /// (buffer: <see cref="IdentifierBytes"/>).
    /// </summary>
    public static ReadOnlySpan<byte> Identifier(ReadOnlySpan<byte> raw, Span<byte> buffer)
    {
        if (!Vin.IsText(raw))
        {
            var text = buffer[..(Vin.HexPrefix.Length + 2 * raw.Length)];
            text[0] = (byte)'0';
            text[1] = (byte)'x';
            Hex(raw, text[2..]);
            return text;
        }
        int end = raw.Length;
        while (raw[end - 1] == 0)
        {
            end--;
        }
        return raw[..end];
    }

    /// <summary>As the HJ 1239 <c>AsciiText.Trimmed</c>: trailing 0x00/space padding dropped, non-printable bytes shown as '?'.</summary>
    public static ReadOnlySpan<byte> TrimmedAscii(ReadOnlySpan<byte> raw, Span<byte> buffer)
    {
        int end = raw.Length;
        while (end > 0 && raw[end - 1] is 0x00 or (byte)' ')
        {
            end--;
        }
        return Printable(raw[..end], buffer);
    }

    /// <summary>
    /// As <c>Encoding.ASCII.GetString(raw).TrimEnd('\0', ' ')</c> (the GB/T 32960 login ICCID): bytes above 0x7F become
    /// '?', control characters stay, trailing 0x00/space padding is dropped.
    /// </summary>
    public static ReadOnlySpan<byte> AsciiDecoded(ReadOnlySpan<byte> raw, Span<byte> buffer)
    {
        int end = raw.Length;
        while (end > 0 && raw[end - 1] is 0x00 or (byte)' ')
        {
            end--;
        }
        var text = buffer[..end];
        for (int i = 0; i < text.Length; i++)
        {
            byte b = raw[i];
            text[i] = b < 0x80 ? b : Replacement;
        }
        return text;
    }

    /// <summary>As <c>Convert.ToHexString</c>: two upper-case hex digits per byte (buffer: twice the input).</summary>
    public static ReadOnlySpan<byte> Hex(ReadOnlySpan<byte> raw, Span<byte> buffer)
    {
        const string digits = "0123456789ABCDEF";
        var text = buffer[..(2 * raw.Length)];
        for (int i = 0; i < raw.Length; i++)
        {
            text[2 * i] = (byte)digits[raw[i] >> 4];
            text[2 * i + 1] = (byte)digits[raw[i] & 0x0F];
        }
        return text;
    }

    private static ReadOnlySpan<byte> Printable(ReadOnlySpan<byte> raw, Span<byte> buffer)
    {
        if (!raw.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E))
        {
            return raw;
        }
        var text = buffer[..raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            byte b = raw[i];
            text[i] = b is >= 0x20 and < 0x7F ? b : Replacement;
        }
        return text;
    }
}
