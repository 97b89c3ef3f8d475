using System.Text;

namespace Ingest.Registry;

/// <summary>One bad row of a registry CSV: where (file, line, column) and what is wrong, in one line.</summary>
public sealed record RegistryCsvError(string Source, int Line, int Column, string ColumnName, string Message)
{
    public override string ToString() => Column > 0
        ? $"{Source} line {Line} column {Column} ({ColumnName}): {Message}"
        : $"{Source} line {Line}: {Message}";
}

/// <summary>What a registry CSV held: the filings of its good rows and an error per bad row.</summary>
public sealed record RegistryCsvResult(IReadOnlyList<VehicleFiling> Filings, IReadOnlyList<RegistryCsvError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// The registry's bulk format, as an OEM exports it: a header line, then one vehicle per line, columns
/// <c>vin,tenant,iccid,chip_id,sm2_public_key,model,platforms</c> (in any order; vin and tenant required, the others
/// may be empty). The SM2 key is hex, the uncompressed point (65 bytes, 04 || X || Y) or X || Y alone (64 bytes, the
/// 04 is added); platforms are forwarder link names separated by <c>;</c>. Fields may be quoted as RFC 4180 says.
/// Used by the start-up import (<c>Registry:ImportCsv</c>), the offline <c>registry import</c> command and the HTTP
/// bulk import alike, so a file that one accepts the others accept too.
/// </summary>
public static class RegistryCsv
{
    public const string Vin = "vin";
    public const string Tenant = "tenant";
    public const string Iccid = "iccid";
    public const string ChipId = "chip_id";
    public const string Sm2PublicKey = "sm2_public_key";
    public const string Model = "model";
    public const string Platforms = "platforms";

    public static readonly IReadOnlyList<string> Columns = [Vin, Tenant, Iccid, ChipId, Sm2PublicKey, Model, Platforms];

    /// <summary>Errors listed at most; past that only their number is kept (a wrong file can have a million bad rows).</summary>
    public const int MaxErrors = 100;

    public static RegistryCsvResult Read(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, path);
    }

    public static RegistryCsvResult Read(Stream stream, string source)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        return Read(reader, source);
    }

    /// <param name="reader">The CSV text.</param>
    /// <param name="source">Names the input in errors (a file path, "upload", ...).</param>
    public static RegistryCsvResult Read(TextReader reader, string source)
    {
        var filings = new List<VehicleFiling>();
        var errors = new List<RegistryCsvError>();
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        int[]? index = null; // position of each of Columns in the file's header
        int line = 0;
        while (ReadRecord(reader, ref line, out var fields, out int startLine, out string? problem))
        {
            if (problem is not null)
            {
                Add(errors, new RegistryCsvError(source, startLine, 0, "", problem));
                continue;
            }
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue; // blank line
            }
            if (index is null)
            {
                index = ReadHeader(fields, source, startLine, errors);
                if (index is null)
                {
                    break;
                }
                continue;
            }
            if (TryReadRow(fields, index, source, startLine, out var filing, out var error))
            {
                if (firstLine.TryGetValue(filing.Vin, out int earlier))
                {
                    Add(errors, new RegistryCsvError(source, startLine, index[0] + 1, Vin, $"{filing.Vin} is already on line {earlier}"));
                    continue;
                }
                firstLine[filing.Vin] = startLine;
                filings.Add(filing);
            }
            else
            {
                Add(errors, error!);
            }
        }
        if (index is null && errors.Count == 0)
        {
            errors.Add(new RegistryCsvError(source, 1, 0, "", $"no header line: the first line names the columns ({string.Join(',', Columns)})"));
        }
        return new RegistryCsvResult(filings, errors);
    }

    /// <summary>Writes filings in the same format, header first (a file <see cref="Read(TextReader, string)"/> reads back unchanged).</summary>
    public static void Write(TextWriter writer, IEnumerable<VehicleFiling> filings)
    {
        writer.Write(string.Join(',', Columns));
        writer.Write('\n');
        foreach (var f in filings)
        {
            string?[] fields = [f.Vin, f.Tenant, f.Iccid, f.ChipId, f.Sm2PublicKey is null ? null : Convert.ToHexString(f.Sm2PublicKey),
                f.Model, string.Join(';', f.Platforms)];
            writer.Write(string.Join(',', fields.Select(Quote)));
            writer.Write('\n');
        }
    }

    private static string Quote(string? field) =>
        field is null ? "" : field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static void Add(List<RegistryCsvError> errors, RegistryCsvError error)
    {
        if (errors.Count < MaxErrors)
        {
            errors.Add(error);
        }
    }

    private static int[]? ReadHeader(List<string> fields, string source, int line, List<RegistryCsvError> errors)
    {
        var names = fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        var index = new int[Columns.Count];
        for (int c = 0; c < Columns.Count; c++)
        {
            index[c] = names.IndexOf(Columns[c]);
        }
        var missing = Columns.Where((_, c) => index[c] < 0 && c < 2).ToList();
        var unknown = names.Where(n => !Columns.Contains(n)).Concat(names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key + " (twice)")).ToList();
        if (missing.Count > 0 || unknown.Count > 0)
        {
            errors.Add(new RegistryCsvError(source, line, 0, "", (missing.Count > 0 ? $"the header lacks {string.Join(", ", missing)}; " : "")
                + (unknown.Count > 0 ? $"unknown columns {string.Join(", ", unknown)}; " : "")
                + $"the columns are {string.Join(',', Columns)}"));
            return null;
        }
        return index;
    }

    private static bool TryReadRow(List<string> fields, int[] index, string source, int line, out VehicleFiling filing, out RegistryCsvError? error)
    {
        filing = null!;
        error = null;
        int width = index.Count(i => i >= 0);
        if (fields.Count != width)
        {
            error = new RegistryCsvError(source, line, 0, "", $"{fields.Count} fields, the header has {width}");
            return false;
        }
        string? Field(int column) => index[column] < 0 || index[column] >= fields.Count || fields[index[column]].Trim().Length == 0
            ? null
            : fields[index[column]].Trim();
        RegistryCsvError Bad(int column, string message) => new(source, line, index[column] + 1, Columns[column], message);

        var vin = Field(0);
        if (vin is null || vin.Length != 17 || !vin.All(char.IsAsciiLetterOrDigit))
        {
            error = Bad(0, vin is null ? "empty; every vehicle needs its 17-character VIN" : $"'{vin}' is not 17 letters and digits");
            return false;
        }
        var tenant = Field(1);
        if (tenant is null)
        {
            error = Bad(1, "empty; every vehicle belongs to a tenant (the OEM or fleet owner)");
            return false;
        }
        var iccid = Field(2);
        if (iccid is not null && (iccid.Length > 20 || !iccid.All(char.IsAsciiLetterOrDigit)))
        {
            error = Bad(2, $"'{iccid}' is not an ICCID (up to 20 letters and digits, as the login carries it)");
            return false;
        }
        var chip = Field(3);
        byte[]? key = null;
        if (Field(4) is { } hex)
        {
            if (!TryParseKey(hex, out key, out var problem))
            {
                error = Bad(4, problem);
                return false;
            }
        }
        var platforms = Field(6)?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        filing = new VehicleFiling(vin, tenant, iccid, chip, key, Field(5), platforms);
        return true;
    }

    /// <summary>An SM2 public key in hex: 65 bytes starting 04 (uncompressed point) or 64 bytes X || Y (04 is added).</summary>
    public static bool TryParseKey(string hex, out byte[]? key, out string problem)
    {
        key = null;
        problem = "";
        var text = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            problem = "not hexadecimal";
            return false;
        }
        if (bytes.Length == 64)
        {
            key = [0x04, .. bytes];
            return true;
        }
        if (bytes.Length == 65 && bytes[0] == 0x04)
        {
            key = bytes;
            return true;
        }
        problem = bytes.Length == 65
            ? $"a 65-byte key starts with 04 (uncompressed point), this one with {bytes[0]:X2}"
            : $"{bytes.Length} bytes; an SM2 public key is 65 bytes (04 || X || Y) or 64 (X || Y)";
        return false;
    }

    /// <summary>
    /// Reads one CSV record (which may span lines inside quotes). False at the end of input. A malformed record
    /// (a quote left open, text after a closing quote) comes back with <paramref name="problem"/> set.
    /// </summary>
    private static bool ReadRecord(TextReader reader, ref int line, out List<string> fields, out int startLine, out string? problem)
    {
        fields = [];
        problem = null;
        var text = reader.ReadLine();
        startLine = ++line;
        if (text is null)
        {
            return false;
        }
        var field = new StringBuilder();
        int i = 0;
        while (true)
        {
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        var next = reader.ReadLine();
                        if (next is null)
                        {
                            problem = "a quoted field is never closed";
                            return true;
                        }
                        line++;
                        field.Append('\n');
                        text = next;
                        i = 0;
                        continue;
                    }
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.Append(text[i++]);
                }
                if (i < text.Length && text[i] != ',')
                {
                    problem = $"text after a closing quote at character {i + 1}";
                    return true;
                }
            }
            else
            {
                int comma = text.IndexOf(',', i);
                int end = comma < 0 ? text.Length : comma;
                field.Append(text, i, end - i);
                i = end;
            }
            fields.Add(field.ToString());
            field.Clear();
            if (i >= text.Length)
            {
                return true;
            }
            i++; // the comma
            if (i == text.Length)
            {
                fields.Add("");
                return true;
            }
        }
    }
}
