using System.Globalization;

namespace Ingest.Import;

/// <summary>
/// One line of a hex export: a receive time, then the bytes the platform received, in hex.
/// <code>
/// # comment lines and blank lines are skipped; '#' also ends a line early
/// 2026-12-05T08:00:01+08:00 232302FE4C53...            ISO 8601 with a zone
/// 2026-12-05 08:00:01.250 23 23 02 FE 4C 53 ...       no zone: --zone (default +08:00, Beijing time)
/// 1733356801250,23:23:02:FE:4C:53...                  Unix time in milliseconds (13 digits) or seconds (10)
/// </code>
/// The time and the hex are separated by whitespace, a comma, a semicolon or a tab. The hex may contain spaces,
/// tabs, colons and dashes between bytes and may start with 0x. The bytes of a line are framed as one stream: a line
/// may hold one frame, several (sticky), or a frame with junk around it; what is not a frame is reported with the
/// line number and its byte offset.
/// </summary>
public static class HexFrameLine
{
    /// <summary>Longest line read (a 64 KiB frame written with a separator between bytes is 192 KiB).</summary>
    public const int MaxLineBytes = 512 * 1024;

    public enum Outcome : byte
    {
        Frames,
        Skip,
        Bad,
    }

    /// <summary>
    /// Reads one line into <paramref name="bytes"/> (grown when needed); <see cref="Outcome.Skip"/> for blank and comment
    /// lines, <see cref="Outcome.Bad"/> with <paramref name="problem"/> for a line that cannot be read.
    /// </summary>
    public static Outcome Parse(ReadOnlySpan<byte> line, TimeSpan defaultZone, ref byte[] bytes, out int length, out DateTimeOffset receivedAt,
        out string? problem)
    {
        length = 0;
        receivedAt = default;
        problem = null;
        if (line.StartsWith("\uFEFF"u8))
        {
            line = line[3..]; // a UTF-8 byte order mark, as Windows tools write at the start of a file
        }
        int comment = line.IndexOf((byte)'#');
        if (comment >= 0)
        {
            line = line[..comment];
        }
        line = line.Trim(" \t\r\n\f\v"u8);
        if (line.IsEmpty)
        {
            return Outcome.Skip;
        }
        if (!TryReadTime(ref line, defaultZone, out receivedAt, out problem))
        {
            return Outcome.Bad;
        }
        line = line.TrimStart(" \t,;"u8);
        if (line.Length >= 2 && line[0] == (byte)'0' && (line[1] | 0x20) == (byte)'x')
        {
            line = line[2..];
        }
        if (line.IsEmpty)
        {
            problem = "a time but no hex bytes";
            return Outcome.Bad;
        }
        if (bytes.Length < line.Length / 2 + 1)
        {
            bytes = new byte[Math.Max(line.Length / 2 + 1, bytes.Length * 2)];
        }
        int high = -1;
        for (int i = 0; i < line.Length; i++)
        {
            byte c = line[i];
            if (c is (byte)' ' or (byte)'\t' or (byte)':' or (byte)'-')
            {
                if (high >= 0)
                {
                    problem = $"a lone hex digit before column {i + 1} of the hex";
                    return Outcome.Bad;
                }
                continue;
            }
            int digit = HexDigit(c);
            if (digit < 0)
            {
                problem = $"'{(char)c}' at column {i + 1} of the hex is not a hex digit";
                return Outcome.Bad;
            }
            if (high < 0)
            {
                high = digit;
            }
            else
            {
                bytes[length++] = (byte)(high << 4 | digit);
                high = -1;
            }
        }
        if (high >= 0)
        {
            problem = "an odd number of hex digits";
            return Outcome.Bad;
        }
        return Outcome.Frames;
    }

    private static bool TryReadTime(ref ReadOnlySpan<byte> line, TimeSpan defaultZone, out DateTimeOffset time, out string? problem)
    {
        time = default;
        int end = line.IndexOfAny(" \t,;"u8);
        var token = end < 0 ? line : line[..end];
        var rest = end < 0 ? [] : line[end..];
        // "2026-12-05 08:00:01": a date, a space, then a time of day.
        if (token.Length == 10 && token[4] == (byte)'-' && rest.Length > 1 && rest[0] == (byte)' ' && char.IsAsciiDigit((char)rest[1])
            && rest[1..].IndexOf((byte)':') is 2)
        {
            var timeOfDay = rest[1..];
            int timeEnd = timeOfDay.IndexOfAny(" \t,;"u8);
            int tokenLength = 11 + (timeEnd < 0 ? timeOfDay.Length : timeEnd);
            token = line[..tokenLength];
            rest = line[tokenLength..];
        }
        var text = System.Text.Encoding.ASCII.GetString(token);
        if (token.Length is 10 or 13 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long unix))
        {
            time = token.Length == 13 ? DateTimeOffset.FromUnixTimeMilliseconds(unix) : DateTimeOffset.FromUnixTimeSeconds(unix);
        }
        else if (DateTime.TryParse(text.Replace(' ', 'T'), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            time = parsed.Kind == DateTimeKind.Unspecified
                ? new DateTimeOffset(parsed, defaultZone)
                : DateTimeOffset.Parse(text.Replace(' ', 'T'), CultureInfo.InvariantCulture, DateTimeStyles.None);
        }
        else
        {
            problem = $"'{(text.Length > 40 ? text[..40] + "..." : text)}' is not a receive time (ISO 8601, or Unix seconds or milliseconds)";
            return false;
        }
        line = rest;
        problem = null;
        return true;
    }

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
