using System.Globalization;
using System.Text.Json;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Spool;

namespace Ingest.Tools;

/// <summary>One table's outcome: rows the checked records must have there, which are present, missing, or unexpected.</summary>
public sealed class TableVerification
{
    public TableVerification(string table, bool hasItemIndex)
    {
        Table = table;
        HasItemIndex = hasItemIndex;
    }

    public string Table { get; }

    /// <summary>The table has one row per item; its keys carry an item index.</summary>
    public bool HasItemIndex { get; }

    /// <summary>Rows the checked spool records project to.</summary>
    public long Expected { get; internal set; }

    /// <summary>Expected rows ClickHouse holds (read FINAL).</summary>
    public long Present { get; internal set; }

    /// <summary>Expected rows ClickHouse does not hold (before any repair).</summary>
    public long Missing { get; internal set; }

    /// <summary>The first missing keys, in offset order, up to the listing limit.</summary>
    public List<SpoolRowKey> MissingKeys { get; } = [];

    /// <summary>Rows of this node in the checked range that no checked record projects to.</summary>
    public long Unexpected { get; internal set; }

    public List<SpoolRowKey> UnexpectedKeys { get; } = [];

    /// <summary>Rows re-inserted by repair (every row of each record that missed one here).</summary>
    public long RepairedRows { get; internal set; }

    /// <summary>Expected rows still absent after repair; null when no repair ran.</summary>
    public long? MissingAfterRepair { get; internal set; }
}

/// <summary>What verify (and repair) found: the range actually checked, per-table counts, and what limits the check.</summary>
public sealed class VerifyReport
{
    public required string Node { get; init; }

    public required string Database { get; init; }

    public required string SpoolDirectory { get; init; }

    public required VerifyRange Range { get; init; }

    public required bool Repair { get; init; }

    /// <summary>The ClickHouse sink's persisted cursor; null when it has none (nothing delivered) or it was ignored.</summary>
    public long? SinkCursor { get; init; }

    /// <summary>Records ahead of the sink's cursor were checked too (<c>--include-undelivered</c>).</summary>
    public bool IncludeUndelivered { get; init; }

    /// <summary>The oldest record still in the spool (null: the spool is empty).</summary>
    public long? SpoolFirstOffset { get; init; }

    public DateTimeOffset? SpoolFirstReceivedAt { get; init; }

    /// <summary>The offsets compared, [<see cref="CheckedFromOffset"/>, <see cref="CheckedToOffset"/>).</summary>
    public long CheckedFromOffset { get; internal set; }

    public long CheckedToOffset { get; internal set; }

    /// <summary>Records in the offset range that were read (before the time filter).</summary>
    public long RecordsScanned { get; internal set; }

    /// <summary>Records whose rows were compared (inside the time range too).</summary>
    public long RecordsChecked { get; internal set; }

    public required IReadOnlyList<TableVerification> Tables { get; init; }

    /// <summary>Unreadable spool regions met inside the checked range: their records could not be checked.</summary>
    public List<SpoolCorruption> Damage { get; } = [];

    /// <summary>Why the check may not cover the whole requested range (the spool no longer holds part of it).</summary>
    public List<string> Incomplete { get; } = [];

    public long TotalMissing => Tables.Sum(t => t.Missing);

    public long TotalMissingAfterRepair => Tables.Sum(t => t.MissingAfterRepair ?? t.Missing);

    /// <summary>0 all present, 1 rows missing (verify) or still missing after repair, 3 the check is incomplete.</summary>
    public int ExitCode => (Repair ? TotalMissingAfterRepair : TotalMissing) > 0 ? VerifyExitCodes.Missing
        : Incomplete.Count > 0 ? VerifyExitCodes.Incomplete
        : VerifyExitCodes.AllPresent;

    public void WriteText(TextWriter output)
    {
        output.WriteLine($"{(Repair ? "repair" : "verify")}: node '{Node}', ClickHouse database '{Database}', spool {SpoolDirectory}");
        output.WriteLine($"range: {DescribeRange()}");
        output.WriteLine($"sink cursor: {(IncludeUndelivered ? "ignored (--include-undelivered)" : SinkCursor?.ToString(CultureInfo.InvariantCulture) ?? "none (the sink has delivered nothing from this spool)")}; " +
            $"oldest record in the spool: {(SpoolFirstOffset is { } first ? $"offset {first}" + (SpoolFirstReceivedAt is { } at ? $", received {Time(at)}" : "") : "none (empty)")}");
        output.WriteLine($"checked: offsets [{CheckedFromOffset}, {CheckedToOffset}), {RecordsChecked} records ({RecordsScanned} read)");
        output.WriteLine();
        output.WriteLine(Repair
            ? $"{"table",-18} {"expected",10} {"present",10} {"missing",10} {"unexpected",10} {"repaired",10} {"still missing",14}"
            : $"{"table",-18} {"expected",10} {"present",10} {"missing",10} {"unexpected",10}");
        foreach (var t in Tables)
        {
            output.WriteLine(Repair
                ? $"{t.Table,-18} {t.Expected,10} {t.Present,10} {t.Missing,10} {t.Unexpected,10} {t.RepairedRows,10} {t.MissingAfterRepair ?? t.Missing,14}"
                : $"{t.Table,-18} {t.Expected,10} {t.Present,10} {t.Missing,10} {t.Unexpected,10}");
        }
        foreach (var t in Tables)
        {
            WriteKeys(output, $"missing in {t.Table}", t, t.MissingKeys, t.Missing);
            WriteKeys(output, $"unexpected in {t.Table}", t, t.UnexpectedKeys, t.Unexpected);
        }
        foreach (var damage in Damage)
        {
            output.WriteLine($"spool damage: {damage.Kind} in {damage.File} from offset {damage.Offset}" +
                (damage.Bytes > 0 ? $" ({damage.Bytes} bytes)" : "") + ": its records could not be checked");
        }
        foreach (var reason in Incomplete)
        {
            output.WriteLine($"incomplete: {reason}");
        }
        output.WriteLine();
        output.WriteLine(Summary());
    }

    public void WriteJson(Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();
        json.WriteString("command", Repair ? "repair" : "verify");
        json.WriteString("node", Node);
        json.WriteString("database", Database);
        json.WriteString("spool", SpoolDirectory);
        json.WriteStartObject("range");
        WriteOptional(json, "from_offset", Range.FromOffset);
        WriteOptional(json, "to_offset", Range.ToOffset);
        WriteOptional(json, "received_from", Range.ReceivedFrom);
        WriteOptional(json, "received_to", Range.ReceivedTo);
        json.WriteEndObject();
        WriteOptional(json, "sink_cursor", SinkCursor);
        json.WriteBoolean("include_undelivered", IncludeUndelivered);
        WriteOptional(json, "spool_first_offset", SpoolFirstOffset);
        WriteOptional(json, "spool_first_received_at", SpoolFirstReceivedAt);
        json.WriteNumber("checked_from_offset", CheckedFromOffset);
        json.WriteNumber("checked_to_offset", CheckedToOffset);
        json.WriteNumber("records_scanned", RecordsScanned);
        json.WriteNumber("records_checked", RecordsChecked);
        json.WriteStartArray("tables");
        foreach (var t in Tables)
        {
            json.WriteStartObject();
            json.WriteString("table", t.Table);
            json.WriteNumber("expected", t.Expected);
            json.WriteNumber("present", t.Present);
            json.WriteNumber("missing", t.Missing);
            WriteKeys(json, "missing_keys", t, t.MissingKeys, t.Missing);
            json.WriteNumber("unexpected", t.Unexpected);
            WriteKeys(json, "unexpected_keys", t, t.UnexpectedKeys, t.Unexpected);
            if (Repair)
            {
                json.WriteNumber("repaired_rows", t.RepairedRows);
                json.WriteNumber("missing_after_repair", t.MissingAfterRepair ?? t.Missing);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("spool_damage");
        foreach (var damage in Damage)
        {
            json.WriteStartObject();
            json.WriteString("kind", damage.Kind.ToString());
            json.WriteString("file", damage.File);
            json.WriteNumber("offset", damage.Offset);
            json.WriteNumber("bytes", damage.Bytes);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("incomplete");
        foreach (var reason in Incomplete)
        {
            json.WriteStringValue(reason);
        }
        json.WriteEndArray();
        json.WriteNumber("exit_code", ExitCode);
        json.WriteString("summary", Summary());
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
        output.Flush();
    }

    private string Summary()
    {
        if (Repair)
        {
            long repaired = Tables.Sum(t => t.RepairedRows);
            return TotalMissingAfterRepair > 0
                ? $"REPAIR FAILED: {TotalMissingAfterRepair} rows are still missing after re-inserting {repaired}."
                : TotalMissing > 0
                    ? $"REPAIRED: {TotalMissing} missing rows; {repaired} rows of their records re-inserted; every expected row is present now."
                    : "OK: nothing was missing, nothing was inserted.";
        }
        return TotalMissing > 0
            ? $"MISSING: {TotalMissing} rows in {Tables.Count(t => t.Missing > 0)} table(s). Run 'repair' with the same options to re-insert them from the spool."
            : Incomplete.Count > 0
                ? "INCOMPLETE: every row checked is present, but part of the requested range is no longer in the spool."
                : "OK: every expected row is present.";
    }

    private string DescribeRange()
    {
        var parts = new List<string>();
        if (Range.ReceivedFrom is not null || Range.ReceivedTo is not null)
        {
            parts.Add($"received [{(Range.ReceivedFrom is { } f ? Time(f) : "start")}, {(Range.ReceivedTo is { } t ? Time(t) : "end")})");
        }
        if (Range.FromOffset is not null || Range.ToOffset is not null)
        {
            parts.Add($"offsets [{Range.FromOffset?.ToString(CultureInfo.InvariantCulture) ?? "start"}, {Range.ToOffset?.ToString(CultureInfo.InvariantCulture) ?? "end"})");
        }
        return parts.Count == 0 ? "everything the spool holds" : string.Join(", ", parts);
    }

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Key(TableVerification table, SpoolRowKey key) =>
        table.HasItemIndex ? $"{key.SpoolOffset}#{key.ItemIndex}" : key.SpoolOffset.ToString(CultureInfo.InvariantCulture);

    private static void WriteKeys(TextWriter output, string what, TableVerification table, List<SpoolRowKey> keys, long total)
    {
        if (total == 0)
        {
            return;
        }
        var more = total > keys.Count ? $" ... ({total - keys.Count} more)" : "";
        output.WriteLine($"{what} ({(table.HasItemIndex ? "offset#item" : "offset")}): {string.Join(", ", keys.Select(k => Key(table, k)))}{more}");
    }

    private static void WriteKeys(Utf8JsonWriter json, string name, TableVerification table, List<SpoolRowKey> keys, long total)
    {
        json.WriteStartArray(name);
        foreach (var key in keys)
        {
            if (table.HasItemIndex)
            {
                json.WriteStartObject();
                json.WriteNumber("spool_offset", key.SpoolOffset);
                json.WriteNumber("item_index", key.ItemIndex);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNumberValue(key.SpoolOffset);
            }
        }
        json.WriteEndArray();
        json.WriteBoolean(name + "_truncated", total > keys.Count);
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            json.WriteString(name, Time(v));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

/// <summary>The exit codes of verify and repair.</summary>
public static class VerifyExitCodes
{
    public const int AllPresent = 0;

    /// <summary>Verify found missing rows, or repair could not make them present.</summary>
    public const int Missing = 1;

    public const int BadArguments = 2;

    /// <summary>
    /// The check could not be completed: ClickHouse or the spool could not be read, or part of the requested range is
    /// no longer in the spool (nothing missing was found in what could be checked).
    /// </summary>
    public const int Incomplete = 3;
}
