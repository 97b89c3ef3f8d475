namespace Ingest.Sinks.ClickHouse.Schema;

/// <summary>One idempotent schema change. Each step can run again after a crash half-way without harm.</summary>
public abstract record SchemaStep
{
    private SchemaStep()
    {
    }

    /// <summary><c>CREATE TABLE IF NOT EXISTS</c>.</summary>
    public sealed record CreateTable(ClickHouseTable Table) : SchemaStep;

    /// <summary>
    /// <c>ALTER TABLE ADD COLUMN</c> when <c>system.columns</c> does not list it yet (18.16 has no
    /// <c>ADD COLUMN IF NOT EXISTS</c>). The table definition in C# must list the column too.
    /// </summary>
    public sealed record AddColumn(string Table, ClickHouseColumn Column, string? After) : SchemaStep;
}

/// <summary>A numbered set of steps, recorded in <c>schema_migrations</c> once applied.</summary>
public sealed record SchemaMigration(uint Version, string Description, IReadOnlyList<SchemaStep> Steps);
