using System.Globalization;
using Ingest.Sinks.ClickHouse.Rows;

namespace Ingest.Sinks.ClickHouse.Schema;

/// <summary>
/// Creates and migrates the sink's tables, idempotently, on a single server or (with a cluster name) as
/// ReplicatedReplacingMergeTree tables behind Distributed tables. Applied versions are recorded in
/// <c>schema_migrations</c>; every step is also safe to repeat, so two nodes starting at once, or a crash between a
/// step and its record, leave a correct schema.
/// </summary>
public sealed class ClickHouseSchema
{
    public const string MigrationsTable = "schema_migrations";

    private readonly ClickHouseDatabase _database;

    public ClickHouseSchema(ClickHouseDatabase database, IReadOnlyList<SchemaMigration>? migrations = null)
    {
        _database = database;
        Migrations = migrations ?? DefaultMigrations;
    }

    /// <summary>The product's migrations, oldest first. Add a new version at the end; never edit an applied one.</summary>
    public static IReadOnlyList<SchemaMigration> DefaultMigrations { get; } =
    [
        new(1, "frames_raw, vehicle_samples, emission_samples, sessions",
            ClickHouseRowBuffers.Tables.Select(t => (SchemaStep)new SchemaStep.CreateTable(t)).ToArray()),
        new(2, "SM2 signature verdict on frames_raw, frames_quarantine",
        [
            new SchemaStep.AddColumn(FrameRawRow.Table.Name, FrameRawRow.SignatureColumn, "frame_bytes"),
            new SchemaStep.CreateTable(QuarantinedFrameRow.Table),
        ]),
        // Rows stored before admission existed were all from vehicles the node accepted as they were: filed (1).
        new(3, "frames_raw.admitted", [new SchemaStep.AddColumn(FrameRawRow.Table.Name, FrameRawRow.AdmittedColumn, "signature")]),
        new(4, "alarm_events", [new SchemaStep.CreateTable(AlarmEventRow.Table)]),
        new(5, "quality_daily (data-quality report)", [new SchemaStep.CreateTable(Quality.VehicleDayQuality.Table)]),
    ];

    public IReadOnlyList<SchemaMigration> Migrations { get; }

    /// <summary>The tables whose columns must match the C# definitions after migration.</summary>
    public IReadOnlyList<ClickHouseTable> ExpectedTables { get; init; } = ClickHouseRowBuffers.Tables;

    /// <summary>Creates the database and applies pending migrations; then checks every column. Returns the versions applied.</summary>
    public async Task<IReadOnlyList<uint>> EnsureAsync(CancellationToken cancellationToken)
    {
        if (_database.Cluster is not null && await IsCurrentAsync(cancellationToken).ConfigureAwait(false))
        {
            // ON CLUSTER DDL waits for every server of the cluster: with the schema already current, a node that
            // starts (or retries) while one replica is down must not wait for it, so it only checks the columns.
            await VerifyColumnsAsync(cancellationToken).ConfigureAwait(false);
            return [];
        }
        await _database.ExecuteAsync(CreateDatabaseSql(), cancellationToken, useSystemDatabase: true).ConfigureAwait(false);
        await _database.ExecuteAsync(CreateMigrationsTableSql(), cancellationToken).ConfigureAwait(false);

        uint current = await ReadAppliedVersionAsync(cancellationToken).ConfigureAwait(false);
        var applied = new List<uint>();
        foreach (var migration in Migrations.Where(m => m.Version > current).OrderBy(m => m.Version))
        {
            foreach (var step in migration.Steps)
            {
                await ApplyAsync(step, cancellationToken).ConfigureAwait(false);
            }
            await _database.ExecuteAsync(
                $"INSERT INTO {_database.Qualified(MigrationsTable)} (version, description) VALUES " +
                $"({migration.Version.ToString(CultureInfo.InvariantCulture)}, {SqlLiteral.Quote(migration.Description)})",
                cancellationToken).ConfigureAwait(false);
            applied.Add(migration.Version);
        }
        await VerifyColumnsAsync(cancellationToken).ConfigureAwait(false);
        return applied;
    }

    /// <summary>True when the migrations table exists and records the newest migration.</summary>
    private async Task<bool> IsCurrentAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAppliedVersionAsync(cancellationToken).ConfigureAwait(false) >= Migrations.Max(m => m.Version);
        }
        catch (global::ClickHouse.Driver.ClickHouseServerException)
        {
            return false; // no database or no migrations table yet
        }
    }

    /// <summary>Highest recorded migration version, 0 for a fresh database.</summary>
    public async Task<uint> ReadAppliedVersionAsync(CancellationToken cancellationToken)
    {
        var text = await _database
            .QueryTextAsync($"SELECT max(version) FROM {_database.Qualified(MigrationsTable)}", cancellationToken)
            .ConfigureAwait(false);
        return uint.Parse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>All DDL of the current schema as a script (for the README, for operators, for a cluster dry run).</summary>
    public string RenderScript()
    {
        var statements = new List<string> { CreateDatabaseSql(), CreateMigrationsTableSql() };
        // Migration 1 creates every table as the code defines it today, so a later step that adds a table or a column
        // is already in the script once: rendered again it would fail where the sink, which checks first, skips it.
        var created = new Dictionary<string, ClickHouseTable>(StringComparer.Ordinal);
        foreach (var step in Migrations.SelectMany(m => m.Steps))
        {
            statements.AddRange(step switch
            {
                SchemaStep.CreateTable create when created.TryAdd(create.Table.Name, create.Table) => CreateTableSql(create.Table, multiline: true),
                SchemaStep.AddColumn add when !(created.TryGetValue(add.Table, out var table) && table.Columns.Any(c => c.Name == add.Column.Name)) =>
                    AddColumnSql(add),
                _ => [],
            });
        }
        return string.Join(";\n\n", statements.Select(s => s.Replace(") ENGINE", ")\nENGINE", StringComparison.Ordinal)
            .Replace(" PARTITION BY", "\nPARTITION BY", StringComparison.Ordinal)
            .Replace(" ORDER BY", "\nORDER BY", StringComparison.Ordinal))) + ";\n";
    }

    private async Task ApplyAsync(SchemaStep step, CancellationToken cancellationToken)
    {
        switch (step)
        {
            case SchemaStep.CreateTable create:
                foreach (var sql in CreateTableSql(create.Table))
                {
                    await _database.ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
                }
                break;
            case SchemaStep.AddColumn add:
                var existing = await ReadColumnsAsync(StorageTable(add.Table), cancellationToken).ConfigureAwait(false);
                if (!existing.ContainsKey(add.Column.Name))
                {
                    foreach (var sql in AddColumnSql(add))
                    {
                        await _database.ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
                    }
                }
                break;
        }
    }

    private async Task VerifyColumnsAsync(CancellationToken cancellationToken)
    {
        foreach (var table in ExpectedTables)
        {
            var actual = await ReadColumnsAsync(table.Name, cancellationToken).ConfigureAwait(false);
            var problems = table.Columns
                .Where(c => !actual.TryGetValue(c.Name, out var type) || type != c.Type)
                .Select(c => actual.TryGetValue(c.Name, out var type) ? $"{c.Name} is {type}, expected {c.Type}" : $"{c.Name} is missing")
                .ToList();
            if (problems.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Table {_database.Qualified(table.Name)} does not match the sink's schema: {string.Join("; ", problems)}.");
            }
        }
    }

    private async Task<Dictionary<string, string>> ReadColumnsAsync(string table, CancellationToken cancellationToken)
    {
        var text = await _database.QueryTextAsync(
            $"SELECT name, type FROM system.columns WHERE database = {SqlLiteral.Quote(_database.Database)} AND table = {SqlLiteral.Quote(table)}",
            cancellationToken).ConfigureAwait(false);
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t');
            // TabSeparated escapes a quote inside Enum8 type names as \'.
            columns[parts[0]] = parts[1].Replace("\\'", "'", StringComparison.Ordinal);
        }
        return columns;
    }

    private string OnCluster => _database.Cluster is { } cluster ? " ON CLUSTER " + SqlLiteral.Identifier(cluster) : "";

    /// <summary>The MergeTree table that holds the rows: the table itself, or its <c>_local</c> shard table in a cluster.</summary>
    private string StorageTable(string table) => _database.Cluster is null ? table : table + "_local";

    private string CreateDatabaseSql() =>
        $"CREATE DATABASE IF NOT EXISTS {SqlLiteral.Identifier(_database.Database)}{OnCluster}";

    private string CreateMigrationsTableSql()
    {
        // In a cluster every replica of every shard shares one replication path: each node sees every record.
        var engine = _database.Cluster is null
            ? "ReplacingMergeTree"
            : $"ReplicatedReplacingMergeTree('/clickhouse/tables/all/{_database.Database}/{MigrationsTable}', '{{replica}}')";
        return $"CREATE TABLE IF NOT EXISTS {_database.Qualified(MigrationsTable)}{OnCluster} " +
            "(version UInt32, applied_at DateTime DEFAULT now(), description String) " +
            $"ENGINE = {engine} ORDER BY version";
    }

    private IEnumerable<string> CreateTableSql(ClickHouseTable table, bool multiline = false)
    {
        var columns = multiline ? table.ColumnListSqlMultiline : table.ColumnListSql;
        if (_database.Cluster is not { } cluster)
        {
            yield return $"CREATE TABLE IF NOT EXISTS {_database.Qualified(table.Name)} ({columns}) " +
                $"ENGINE = ReplacingMergeTree{(table.VersionColumn is null ? "" : "(" + table.VersionArgument + ")")} PARTITION BY {table.PartitionBy} ORDER BY {table.OrderBy}";
            yield break;
        }
        var local = table.Name + "_local";
        yield return $"CREATE TABLE IF NOT EXISTS {_database.Qualified(local)}{OnCluster} ({columns}) " +
            $"ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{{shard}}/{_database.Database}/{local}', '{{replica}}'{(table.VersionColumn is null ? "" : ", " + table.VersionArgument)}) " +
            $"PARTITION BY {table.PartitionBy} ORDER BY {table.OrderBy}";
        yield return $"CREATE TABLE IF NOT EXISTS {_database.Qualified(table.Name)}{OnCluster} AS {_database.Qualified(local)} " +
            $"ENGINE = Distributed({SqlLiteral.Identifier(cluster)}, {SqlLiteral.Identifier(_database.Database)}, " +
            $"{SqlLiteral.Identifier(local)}, {table.ShardingKey})";
    }

    private IEnumerable<string> AddColumnSql(SchemaStep.AddColumn add)
    {
        var after = add.After is null ? "" : " AFTER " + SqlLiteral.Identifier(add.After);
        var tables = _database.Cluster is null ? [add.Table] : new[] { add.Table + "_local", add.Table };
        foreach (var table in tables)
        {
            yield return $"ALTER TABLE {_database.Qualified(table)}{OnCluster} ADD COLUMN {SqlLiteral.Identifier(add.Column.Name)} {add.Column.Type}" +
                $"{(add.Column.Default is null ? "" : " DEFAULT " + add.Column.Default)}{after}";
        }
    }
}
