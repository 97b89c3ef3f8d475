namespace Ingest.Protocol.Hj1239.InfoUnits;

/// <summary>Display text for fixed-width ASCII fields; the raw bytes stay the source of truth.</summary>
internal static class AsciiText
{
    /// <summary>ASCII with trailing 0x00/space padding removed and non-printable bytes shown as '?'.</summary>
    public static string Trimmed(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.Length;
        while (end > 0 && bytes[end - 1] is 0x00 or (byte)' ')
        {
            end--;
        }
        return string.Create(end, bytes[..end], static (chars, source) =>
        {
            for (int i = 0; i < chars.Length; i++)
            {
                byte b = source[i];
                chars[i] = b is >= 0x20 and < 0x7F ? (char)b : '?';
            }
        });
    }
}
