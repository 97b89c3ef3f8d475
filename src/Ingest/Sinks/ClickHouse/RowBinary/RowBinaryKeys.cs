using System.Buffers.Binary;
using System.Collections.Concurrent;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.ClickHouse.Schema;

namespace Ingest.Sinks.ClickHouse.RowBinary;

/// <summary>
/// Reads the spool keys (<c>spool_offset</c>, <c>item_index</c>) back out of encoded RowBinary rows, walking every
/// column by its declared type. Verify uses it on the projector's own output, so the keys it expects are the keys of
/// the bytes the sink would insert, however the projector writes them (typed rows or columns written in place).
/// </summary>
public static class RowBinaryKeys
{
    /// <summary>Returns the position after the value that starts at <c>position</c>.</summary>
    private delegate int Skip(ReadOnlySpan<byte> rows, int position);

    private sealed record Plan(Skip[] Columns, int OffsetColumn, int ItemColumn);

    private static readonly ConcurrentDictionary<ClickHouseTable, Plan> Plans = new();

    /// <summary>Adds the keys of the <paramref name="count"/> rows encoded in <paramref name="rows"/> to <paramref name="keys"/>.</summary>
    public static void Read(ClickHouseTable table, ReadOnlySpan<byte> rows, int count, ICollection<SpoolRowKey> keys)
    {
        var plan = Plans.GetOrAdd(table, Compile);
        int position = 0;
        for (int row = 0; row < count; row++)
        {
            long offset = 0;
            ushort item = 0;
            for (int column = 0; column < plan.Columns.Length; column++)
            {
                if (column == plan.OffsetColumn)
                {
                    offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(rows[position..]);
                }
                else if (column == plan.ItemColumn)
                {
                    item = BinaryPrimitives.ReadUInt16LittleEndian(rows[position..]);
                }
                position = plan.Columns[column](rows, position);
            }
            keys.Add(new SpoolRowKey(offset, item));
        }
        if (position != rows.Length)
        {
            throw new InvalidOperationException($"{count} rows of {table.Name} end at byte {position} of {rows.Length}: the encoding does not match the columns.");
        }
    }

    private static Plan Compile(ClickHouseTable table)
    {
        var names = table.ColumnNames.ToList();
        int offsetColumn = names.IndexOf("spool_offset");
        if (offsetColumn < 0 || table.Columns[offsetColumn].Type != "UInt64")
        {
            throw new InvalidOperationException($"Table {table.Name} has no UInt64 spool_offset column.");
        }
        int itemColumn = names.IndexOf(ClickHouseTable.ItemIndexColumn);
        return new Plan(table.Columns.Select(c => For(c.Type)).ToArray(), offsetColumn, itemColumn);
    }

    /// <summary>The RowBinary layout of each type the schema uses (and the few neighbours it may come to use).</summary>
    private static Skip For(string type)
    {
        switch (type)
        {
            case "UInt8" or "Int8": return Fixed(1);
            case "UInt16" or "Int16" or "Date": return Fixed(2);
            case "UInt32" or "Int32" or "Float32" or "DateTime": return Fixed(4);
            case "UInt64" or "Int64" or "Float64": return Fixed(8);
            case "String": return static (rows, position) =>
            {
                var length = ReadLength(rows, ref position);
                return position + length;
            };
        }
        if (type.StartsWith("Enum8(", StringComparison.Ordinal))
        {
            return Fixed(1);
        }
        if (type.StartsWith("Enum16(", StringComparison.Ordinal))
        {
            return Fixed(2);
        }
        if (Inner(type, "FixedString(") is { } size)
        {
            return Fixed(int.Parse(size, System.Globalization.CultureInfo.InvariantCulture));
        }
        if (Inner(type, "Nullable(") is { } nullable)
        {
            var value = For(nullable);
            return (rows, position) => rows[position] != 0 ? position + 1 : value(rows, position + 1);
        }
        if (Inner(type, "Array(") is { } array)
        {
            var element = For(array);
            return (rows, position) =>
            {
                var count = ReadLength(rows, ref position);
                for (int i = 0; i < count; i++)
                {
                    position = element(rows, position);
                }
                return position;
            };
        }
        throw new NotSupportedException($"RowBinary layout of type '{type}' is not known here.");
    }

    private static string? Inner(string type, string prefix) =>
        type.StartsWith(prefix, StringComparison.Ordinal) && type.EndsWith(')') ? type[prefix.Length..^1] : null;

    private static Skip Fixed(int bytes) => (_, position) => position + bytes;

    /// <summary>An unsigned LEB128 length, as RowBinary writes string and array sizes.</summary>
    private static int ReadLength(ReadOnlySpan<byte> rows, ref int position)
    {
        int length = 0, shift = 0;
        byte b;
        do
        {
            b = rows[position++];
            length |= (b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        return length;
    }
}
