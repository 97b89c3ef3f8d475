using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.ClickHouse.Schema;
using Ingest.Tests.Infrastructure;

namespace Ingest.Tests.Sinks.ClickHouse;

public sealed class ClickHouseSchemaTests
{
    [Fact]
    public async Task Creating_the_schema_twice_is_idempotent()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        var schema = new ClickHouseSchema(db.Database);

        var first = await schema.EnsureAsync(CancellationToken.None);
        var second = await schema.EnsureAsync(CancellationToken.None);

        Assert.Equal(AllVersions(), first);
        Assert.Empty(second);
        Assert.Equal(AllVersions()[^1], await schema.ReadAppliedVersionAsync(CancellationToken.None));
        Assert.Equal(AllVersions().Length, await db.CountAsync(ClickHouseSchema.MigrationsTable));
        foreach (var table in ClickHouseRowBuffers.Tables)
        {
            Assert.Equal(table.Columns.Count, await db.ScalarAsync(
                $"SELECT count() FROM system.columns WHERE database = '{db.Name}' AND table = '{table.Name}'"));
        }
    }

    [Fact]
    public async Task Server_version_is_read_at_start_and_is_supported()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();

        var version = await db.Database.ReadServerVersionAsync(CancellationToken.None);

        Assert.True(version.IsSupported, $"server {version}");
        Assert.Equal(version, db.Database.ServerVersion);
    }

    [Fact]
    public async Task A_later_migration_adds_a_column_once_even_when_run_again()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        await new ClickHouseSchema(db.Database).EnsureAsync(CancellationToken.None);
        uint next = ClickHouseSchema.DefaultMigrations.Max(m => m.Version) + 1;
        SchemaMigration addNote = new(next, "frames_raw.note", [new SchemaStep.AddColumn("frames_raw", new("note", "String"), "listener")]);
        var migrations = ClickHouseSchema.DefaultMigrations.Append(addNote).ToArray();

        var applied = await new ClickHouseSchema(db.Database, migrations).EnsureAsync(CancellationToken.None);
        // A crash between the step and its record: the step runs again and must find the column there.
        await db.Database.ExecuteAsync($"ALTER TABLE {db.Database.Qualified("schema_migrations")} DELETE WHERE version = {next}", CancellationToken.None);
        await Eventually.TrueAsync(async () => await db.ScalarAsync($"SELECT count() FROM {db.Database.Qualified("schema_migrations")} WHERE version = {next}") == 0,
            "mutation removed the migration record");
        var again = await new ClickHouseSchema(db.Database, migrations).EnsureAsync(CancellationToken.None);

        Assert.Equal([next], applied);
        Assert.Equal([next], again);
        Assert.Equal(1, await db.ScalarAsync(
            $"SELECT count() FROM system.columns WHERE database = '{db.Name}' AND table = 'frames_raw' AND name = 'note'"));
    }

    /// <summary>A database made before signatures were checked: migration 2 adds the verdict column and the quarantine table.</summary>
    [Fact]
    public async Task Migration_2_adds_the_signature_column_and_the_quarantine_table_to_an_older_database()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        var schema = new ClickHouseSchema(db.Database);
        await schema.EnsureAsync(CancellationToken.None);
        await db.Database.ExecuteAsync($"ALTER TABLE {db.Database.Qualified("frames_raw")} DROP COLUMN signature", CancellationToken.None);
        await db.Database.ExecuteAsync($"DROP TABLE {db.Database.Qualified("frames_quarantine")}", CancellationToken.None);
        await db.Database.ExecuteAsync($"ALTER TABLE {db.Database.Qualified("schema_migrations")} DELETE WHERE version >= 2", CancellationToken.None);
        await Eventually.TrueAsync(async () => await db.ScalarAsync($"SELECT count() FROM {db.Database.Qualified("schema_migrations")} WHERE version >= 2") == 0,
            "mutation removed the migration record");
        await db.Database.ExecuteAsync(
            $"INSERT INTO {db.Database.Qualified("frames_raw")} (node, spool_offset, received_at, vin) VALUES ('old', 1, now(), 'OLDROW')", CancellationToken.None);

        var applied = await schema.EnsureAsync(CancellationToken.None);

        Assert.Equal(AllVersions().Where(v => v >= 2), applied); // what came after it is applied again too (migrations run in order)
        Assert.Equal("not_checked", (await db.Database.QueryTextAsync(
            $"SELECT signature FROM {db.Database.Qualified("frames_raw")} WHERE vin = 'OLDROW'", CancellationToken.None)).Trim());
        Assert.Equal(0, await db.CountAsync("frames_quarantine"));
    }

    [Fact]
    public async Task A_frames_raw_created_before_admission_gets_the_admitted_column_and_its_old_rows_read_1()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        var current = FrameRawRow.Table;
        var before = new ClickHouseTable(current.Name, current.PartitionBy, current.OrderBy, current.ShardingKey,
            current.Columns.Where(c => c.Name != "admitted").ToList());
        var tablesBefore = ClickHouseRowBuffers.Tables.Select(t => t.Name == before.Name ? before : t).ToList();
        await new ClickHouseSchema(db.Database,
            [ClickHouseSchema.DefaultMigrations[0] with { Steps = [.. tablesBefore.Select(t => (SchemaStep)new SchemaStep.CreateTable(t))] }])
        {
            ExpectedTables = tablesBefore,
        }.EnsureAsync(CancellationToken.None);
        await db.Database.ExecuteAsync($"INSERT INTO {db.Database.Qualified("frames_raw")} (node, spool_offset, received_at, vin, protocol, edition, " +
            "command, reply_flag, encryption, device_time, listener, remote_endpoint, frame_bytes) VALUES " +
            "('old', 1, now(), 'LOLDROW0000000001', 'gb32960', 2016, 2, 254, 1, NULL, 'gb', '', '')", CancellationToken.None);

        var applied = await new ClickHouseSchema(db.Database).EnsureAsync(CancellationToken.None);

        Assert.Equal(AllVersions().Where(v => v >= 2), applied);
        Assert.Equal(1, await db.ScalarAsync($"SELECT admitted FROM {db.Database.Qualified("frames_raw")} WHERE node = 'old'"));
    }

    [Fact]
    public async Task A_table_that_differs_from_the_sink_schema_is_reported_by_column()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        await db.Database.ExecuteAsync($"CREATE DATABASE {SqlLiteral.Identifier(db.Name)}", CancellationToken.None, useSystemDatabase: true);
        await db.Database.ExecuteAsync(
            $"CREATE TABLE {db.Database.Qualified("sessions")} (node String, spool_offset UInt32, vin String, received_at DateTime) " +
            "ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(received_at) ORDER BY (vin, received_at, node, spool_offset)",
            CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => new ClickHouseSchema(db.Database).EnsureAsync(CancellationToken.None));

        Assert.Contains("spool_offset is UInt32, expected UInt64", error.Message);
        Assert.Contains("iccid is missing", error.Message);
    }

    [Fact]
    public void Cluster_variant_puts_replicated_shard_tables_behind_distributed_tables()
    {
        using var database = new ClickHouseDatabase(new ClickHouseOptions
        {
            Endpoint = "http://127.0.0.1:1", Database = "telematics", Cluster = "telematics_cluster",
        });

        var script = OneLine(new ClickHouseSchema(database).RenderScript());

        Assert.Contains("CREATE DATABASE IF NOT EXISTS `telematics` ON CLUSTER `telematics_cluster`", script);
        Assert.Contains(
            "CREATE TABLE IF NOT EXISTS `telematics`.`frames_raw_local` ON CLUSTER `telematics_cluster` (node String, spool_offset UInt64,",
            script);
        Assert.Contains(
            "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/telematics/frames_raw_local', '{replica}') " +
            "PARTITION BY toYYYYMMDD(received_at) ORDER BY (vin, received_at, node, spool_offset)", script);
        Assert.Contains(
            "CREATE TABLE IF NOT EXISTS `telematics`.`frames_raw` ON CLUSTER `telematics_cluster` AS `telematics`.`frames_raw_local` " +
            "ENGINE = Distributed(`telematics_cluster`, `telematics`, `frames_raw_local`, cityHash64(vin))", script);
        Assert.Equal(CreatedTables(), script.Split("ENGINE = Distributed(").Length - 1);
    }

    [Fact]
    public void Single_node_script_uses_replacing_merge_tree_keyed_on_the_spool_identity()
    {
        using var database = new ClickHouseDatabase(new ClickHouseOptions { Endpoint = "http://127.0.0.1:1" });

        var script = OneLine(new ClickHouseSchema(database).RenderScript());

        Assert.DoesNotContain("ON CLUSTER", script);
        Assert.Contains("ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(collection_time) ORDER BY (vin, collection_time, node, spool_offset, item_index)", script);
        foreach (var table in ClickHouseRowBuffers.Tables)
        {
            Assert.Contains("spool_offset", table.OrderBy);
            Assert.Contains("node", table.OrderBy);
        }
    }

    private static string OneLine(string script) =>
        System.Text.RegularExpressions.Regex.Replace(script, @"\s+", " ").Replace("( ", "(").Replace(" )", ")");

    /// <summary>Every migration version, oldest first: a test of the migration mechanism need not change with each new migration.</summary>
    private static uint[] AllVersions() => ClickHouseSchema.DefaultMigrations.Select(m => m.Version).ToArray();

    /// <summary>How many tables the migrations create (the sink's rows plus tables of other rooms, such as alarm_events).</summary>
    private static int CreatedTables() =>
        ClickHouseSchema.DefaultMigrations.SelectMany(m => m.Steps).OfType<SchemaStep.CreateTable>().Select(c => c.Table.Name).Distinct().Count();
}
