using System.Globalization;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.ClickHouse.Schema;

namespace Ingest.Sinks.ClickHouse;

/// <summary>
/// Which rows of one node's spool a table holds: the <see cref="SpoolRowKey"/> of every row in an offset range
/// (optionally narrowed to a receive-time range). Read <c>FINAL</c>, so what is counted is what queries see after
/// replacement. Values are escaped literals and times unix seconds (18.16 has no query parameters); the result is
/// read as TabSeparated, which every server version speaks.
/// </summary>
public sealed class ClickHouseStoredKeys
{
    private readonly ClickHouseDatabase _database;

    public ClickHouseStoredKeys(ClickHouseDatabase database) => _database = database;

    /// <summary>
    /// Keys of <paramref name="table"/>'s rows from <paramref name="node"/> with a spool offset in
    /// [<paramref name="fromOffset"/>, <paramref name="toOffset"/>) and, when given, <c>received_at</c> in
    /// [<paramref name="receivedFrom"/>, <paramref name="receivedTo"/>) (whole seconds, as the column stores them).
    /// </summary>
    public async Task<HashSet<SpoolRowKey>> ReadAsync(ClickHouseTable table, string node, long fromOffset, long toOffset,
        DateTimeOffset? receivedFrom, DateTimeOffset? receivedTo, CancellationToken cancellationToken)
    {
        if (toOffset <= fromOffset)
        {
            return [];
        }
        var text = await _database.QueryTextAsync(Sql(table, node, fromOffset, toOffset, receivedFrom, receivedTo), cancellationToken)
            .ConfigureAwait(false);
        return Parse(text);
    }

    /// <summary>TabSeparated lines of <c>spool_offset</c> and, for per-item tables, <c>item_index</c>.</summary>
    private static HashSet<SpoolRowKey> Parse(string text)
    {
        var keys = new HashSet<SpoolRowKey>();
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.IsEmpty)
            {
                continue;
            }
            int tab = line.IndexOf('\t');
            var offset = long.Parse(tab < 0 ? line : line[..tab], NumberStyles.None, CultureInfo.InvariantCulture);
            var item = tab < 0 ? (ushort)0 : ushort.Parse(line[(tab + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
            keys.Add(new SpoolRowKey(offset, item));
        }
        return keys;
    }

    internal string Sql(ClickHouseTable table, string node, long fromOffset, long toOffset, DateTimeOffset? receivedFrom, DateTimeOffset? receivedTo)
    {
        var columns = table.HasItemIndex ? "spool_offset, " + ClickHouseTable.ItemIndexColumn : "spool_offset";
        var sql = $"SELECT {columns} FROM {_database.Qualified(table.Name)} FINAL " +
            $"WHERE node = {SqlLiteral.Quote(node)} " +
            $"AND spool_offset >= {fromOffset.ToString(CultureInfo.InvariantCulture)} " +
            $"AND spool_offset < {toOffset.ToString(CultureInfo.InvariantCulture)}";
        if (receivedFrom is { } from)
        {
            sql += $" AND received_at >= {SqlLiteral.DateTime(from)}";
        }
        if (receivedTo is { } to)
        {
            sql += $" AND received_at < {SqlLiteral.DateTime(to)}";
        }
        return sql;
    }
}
