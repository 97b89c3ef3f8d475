namespace Ingest.Sinks.ClickHouse.Schema;

/// <summary>One column: name and ClickHouse type (types restricted to what 18.16 accepts).</summary>
/// <param name="Name">Column name.</param>
/// <param name="Type">ClickHouse type, as system.columns reports it.</param>
/// <param name="Default">A <c>DEFAULT</c> expression: what rows inserted before the column existed read as.</param>
public sealed record ClickHouseColumn(string Name, string Type, string? Default = null)
{
    /// <summary>Name, type and default as a column definition in DDL.</summary>
    public string Sql => Default is null ? $"{Name} {Type}" : $"{Name} {Type} DEFAULT {Default}";
}

/// <summary>
/// A ReplacingMergeTree table of the sink. The sorting key ends in the row's spool identity
/// (<c>node, spool_offset</c>[, <c>item_index</c>]) and every other key part is derived from the same spool record, so a
/// row that is inserted again after a retry has exactly the key of its first copy and replaces it at merge time
/// (and at once under <c>FINAL</c>). The partition expression uses the same record-derived time, so both copies land in
/// one partition, which ReplacingMergeTree needs to see them as duplicates.
/// </summary>
public sealed class ClickHouseTable
{
    public ClickHouseTable(string name, string partitionBy, string orderBy, string shardingKey, IReadOnlyList<ClickHouseColumn> columns)
    {
        SqlLiteral.Identifier(name);
        Name = name;
        PartitionBy = partitionBy;
        OrderBy = orderBy;
        ShardingKey = shardingKey;
        Columns = columns;
        ColumnNames = columns.Select(c => c.Name).ToArray();
    }

    public string Name { get; }

    /// <summary>PARTITION BY expression (a month or a day of a record-derived time).</summary>
    public string PartitionBy { get; }

    /// <summary>ORDER BY expression: the replacing key.</summary>
    public string OrderBy { get; }

    /// <summary>Distributed sharding expression in the cluster variant: by vehicle, so a row and its retry meet on one shard.</summary>
    public string ShardingKey { get; }

    public IReadOnlyList<ClickHouseColumn> Columns { get; }

    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>
    /// The ReplacingMergeTree version column, when a later row of the same key must win whatever order the copies
    /// arrive in (an event's end replaces its start); null: the last inserted copy wins.
    /// </summary>
    public string? VersionColumn { get; init; }

    /// <summary>The engine arguments after the replication ones: <c>(version)</c>, or nothing.</summary>
    internal string VersionArgument => VersionColumn is null ? "" : SqlLiteral.Identifier(VersionColumn);

    /// <summary>The column that tells the rows of one spool record apart in tables with one row per item.</summary>
    public const string ItemIndexColumn = "item_index";

    /// <summary>True when a record may have several rows here, told apart by <see cref="ItemIndexColumn"/>.</summary>
    public bool HasItemIndex => ColumnNames.Contains(ItemIndexColumn);

    public string ColumnListSql => string.Join(", ", Columns.Select(c => c.Sql));

    /// <summary>One column per line, for scripts people read.</summary>
    public string ColumnListSqlMultiline => "\n    " + string.Join(",\n    ", Columns.Select(c => c.Sql)) + "\n";
}
