using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingest.Protocol.Errors;

namespace Ingest.Protocol.Primitives;

/// <summary>
/// The one JSON vocabulary every protocol writer uses (the decode tool and the HTTP history print it; the schema
/// is <c>src/Ingest/Tools/decode-output.schema.json</c>). Rules, each written once here:
/// <list type="bullet">
/// <item>times: ISO 8601 at +08:00 (the protocols' clock), or "invalid" plus <c>{name}_raw_hex</c>;</item>
/// <item>measurements: a number in engineering units, or the status "abnormal" / "invalid" (never 254/65535);</item>
/// <item>index and count fields (cell, probe, pack, subsystem numbers): the same, an integer or a status;</item>
/// <item>bytes: upper-case hex in a field whose name ends in <c>_hex</c>; single codes as "0x02";</item>
/// <item>text: a string only when every byte is printable ASCII (padding trimmed); otherwise the raw bytes in
/// <c>{name}_hex</c>, so nothing is ever shown as '?'.</item>
/// </list>
/// </summary>
public static class DecodeJson
{
    /// <summary>
    /// Writer options for decode output: no escaping of '+' (times read "+08:00", not "\u002B08:00") and no
    /// escaping of non-ASCII text. The output is data (JSON Lines), never embedded in HTML, so the relaxed encoder
    /// is safe; quotes, backslashes and control characters are still escaped.
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const string Abnormal = "abnormal";
    public const string Invalid = "invalid";

    /// <summary>"yyyy-MM-ddTHH:mm:ss+08:00", or "invalid" with the six raw bytes beside it.</summary>
    public static void Time(Utf8JsonWriter w, string name, GbTime time)
    {
        if (time.TryToDateTimeOffset(out var value))
        {
            w.WriteString(name, value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
            return;
        }
        w.WriteString(name, Invalid);
        Span<byte> raw = stackalloc byte[GbTime.Size];
        time.Write(raw);
        w.WriteString(name + "_raw_hex", Convert.ToHexString(raw));
    }

    /// <summary>A scaled value, or its status.</summary>
    public static void Value(Utf8JsonWriter w, string name, Scaled value)
    {
        if (value.IsValid)
        {
            w.WriteNumber(name, value.Value);
        }
        else
        {
            w.WriteString(name, StatusName(value.Status));
        }
    }

    /// <summary>A scaled value as an array element, or its status.</summary>
    public static void ArrayValue(Utf8JsonWriter w, Scaled value)
    {
        if (value.IsValid)
        {
            w.WriteNumberValue(value.Value);
        }
        else
        {
            w.WriteStringValue(StatusName(value.Status));
        }
    }

    /// <summary>A BYTE index or count (0xFE abnormal, 0xFF invalid).</summary>
    public static void Index(Utf8JsonWriter w, string name, byte raw) => Value(w, name, Scaled.FromByte(raw));

    /// <summary>A WORD index or count (0xFFFE abnormal, 0xFFFF invalid).</summary>
    public static void Index(Utf8JsonWriter w, string name, ushort raw) => Value(w, name, Scaled.FromWord(raw));

    public static string StatusName(ValueStatus status) => status == ValueStatus.Abnormal ? Abnormal : Invalid;

    /// <summary>Raw bytes as upper-case hex under <c>{name}_hex</c>.</summary>
    public static void Bytes(Utf8JsonWriter w, string name, ReadOnlySpan<byte> bytes) =>
        w.WriteString(name + "_hex", Convert.ToHexString(bytes));

    /// <summary>
    /// A fixed-width ASCII field: the text (trailing 0x00/space padding trimmed) when every byte is printable,
    /// otherwise the untrimmed bytes under <c>{name}_hex</c>.
    /// </summary>
    public static void Text(Utf8JsonWriter w, string name, ReadOnlySpan<byte> bytes)
    {
        if (TryPrintable(bytes, out string? text))
        {
            w.WriteString(name, text);
        }
        else
        {
            Bytes(w, name, bytes);
        }
    }

    /// <summary>The trimmed text of <paramref name="bytes"/> when every byte before the padding is printable ASCII.</summary>
    public static bool TryPrintable(ReadOnlySpan<byte> bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        int end = bytes.Length;
        while (end > 0 && bytes[end - 1] is 0x00 or (byte)' ')
        {
            end--;
        }
        foreach (byte b in bytes[..end])
        {
            if (b is < 0x20 or >= 0x7F)
            {
                text = null;
                return false;
            }
        }
        text = System.Text.Encoding.ASCII.GetString(bytes[..end]);
        return true;
    }

    /// <summary>"0x02".</summary>
    public static string Hex(byte value) => "0x" + value.ToString("X2", CultureInfo.InvariantCulture);

    /// <summary>"0x7521" for a WORD flag set.</summary>
    public static string Hex(ushort value) => "0x" + value.ToString("X4", CultureInfo.InvariantCulture);

    /// <summary>"0x80000001" for a DWORD flag set or code.</summary>
    public static string Hex(uint value) => "0x" + value.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>The snake_case name of an error kind: the same word in errors, raw reasons, metrics and logs.</summary>
    public static string ErrorName(DecodeErrorKind kind) => kind switch
    {
        DecodeErrorKind.Junk => "junk",
        DecodeErrorKind.Checksum => "checksum",
        DecodeErrorKind.Length => "length",
        DecodeErrorKind.Header => "header",
        DecodeErrorKind.Truncated => "truncated",
        DecodeErrorKind.TrailingBytes => "trailing_bytes",
        DecodeErrorKind.UnknownCommand => "unknown_command",
        DecodeErrorKind.UnknownInfoType => "unknown_info_type",
        DecodeErrorKind.InvalidValue => "invalid_value",
        DecodeErrorKind.Encrypted => "encrypted",
        DecodeErrorKind.UnsupportedLayout => "unsupported_layout",
        DecodeErrorKind.VinMismatch => "vin_mismatch",
        DecodeErrorKind.Abandoned => "abandoned",
        _ => "none",
    };
}
