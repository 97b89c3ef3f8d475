using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.Schema;
using Ingest.Tests.Infrastructure;

namespace Ingest.Tests.Sinks.ClickHouse;

/// <summary>
/// The DDL scripts kept for operators (single server, and the cluster template) are exactly what the code runs.
/// After a schema change regenerate them with <c>INGEST_UPDATE_SCHEMA_SCRIPTS=1 dotnet test --filter SchemaScriptFiles</c>.
/// </summary>
public sealed class SchemaScriptFilesTests
{
    [Theory]
    [InlineData("schema.sql", null)]
    [InlineData("schema-cluster.sql", "telematics_cluster")]
    public void Committed_schema_script_matches_the_ddl_the_sink_runs(string file, string? cluster)
    {
        using var database = new ClickHouseDatabase(new ClickHouseOptions { Endpoint = "http://127.0.0.1:1", Cluster = cluster });
        var header = cluster is null
            ? "-- ClickHouse schema of the ingest sinks, single server (database `telematics`). Generated from the code; the sink applies it itself.\n\n"
            : "-- Cluster template: ReplicatedReplacingMergeTree shards behind Distributed tables (cluster `telematics_cluster`).\n" +
              "-- Applied by the sink when ClickHouse:Cluster is set; needs ZooKeeper/Keeper and the {shard}/{replica} macros on every server.\n\n";
        var expected = header + new ClickHouseSchema(database).RenderScript();
        var path = Path.Combine(ServicesScript.RepoRoot, "src", "Ingest", "Sinks", "ClickHouse", "Schema", file);

        if (Environment.GetEnvironmentVariable("INGEST_UPDATE_SCHEMA_SCRIPTS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), $"{path} is missing; regenerate with INGEST_UPDATE_SCHEMA_SCRIPTS=1");
        Assert.Equal(expected, File.ReadAllText(path));
    }
}
