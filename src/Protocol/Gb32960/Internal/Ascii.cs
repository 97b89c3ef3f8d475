using System.Text;

namespace Ingest.Protocol.Gb32960.Internal;

/// <summary>Text views of fixed-size ASCII fields. Off the hot path: only JSON and diagnostics call these.</summary>
internal static class Ascii
{
    /// <summary>The bytes as text, trailing 0x00 padding removed, non-printable bytes shown as '?'.</summary>
    public static string Text(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.Length;
        while (end > 0 && bytes[end - 1] == 0)
        {
            end--;
        }
        var sb = new StringBuilder(end);
        foreach (byte b in bytes[..end])
        {
            sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }
        return sb.ToString();
    }

    /// <summary>Writes <paramref name="text"/> as ASCII into a fixed field, padding with 0x00. Throws when it does not fit.</summary>
    public static void WriteFixed(string text, Span<byte> field, string paramName)
    {
        if (text.Length > field.Length || !System.Text.Ascii.IsValid(text))
        {
            Errors.ThrowHelper.Argument(paramName, $"At most {field.Length} ASCII characters.");
        }
        field.Clear();
        for (int i = 0; i < text.Length; i++)
        {
            field[i] = (byte)text[i];
        }
    }
}
