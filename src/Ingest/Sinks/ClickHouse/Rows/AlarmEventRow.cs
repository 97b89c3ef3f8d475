using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Schema;

namespace Ingest.Sinks.ClickHouse.Rows;

/// <summary>
/// <c>alarm_events</c>: one row per alarm event (Ingest.AlarmEvents). The start and the end of an event share its key
/// (vehicle, start time, event id), and the end has the higher <c>version</c>, so under <c>FINAL</c> (or after a
/// merge) an event is one row with its end filled in once it ended; a phase delivered twice replaces itself.
/// </summary>
public readonly record struct AlarmEventRow : IClickHouseRow<AlarmEventRow>
{
    /// <summary>Values of Ingest.AlarmEvents.AlarmKind, by the names its JSON uses.</summary>
    public const string KindType = "Enum8('level3' = 1, 'general_flag' = 2, 'mil' = 3, 'dtc' = 4, 'silence' = 5)";

    public required string EventId { get; init; }

    /// <summary>1 for the start, 2 for the end (the ReplacingMergeTree version: the end wins).</summary>
    public required byte Version { get; init; }

    public required string Vin { get; init; }

    public required string Node { get; init; }

    /// <summary>An Ingest.AlarmEvents.AlarmKind value.</summary>
    public required sbyte Kind { get; init; }

    public required uint Code { get; init; }

    public required string Detail { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public required long StartOffset { get; init; }

    public long? EndOffset { get; init; }

    public static ClickHouseTable Table { get; } = new(
        "alarm_events",
        partitionBy: "toYYYYMM(started_at)",
        orderBy: "(vin, started_at, event_id)",
        shardingKey: "cityHash64(vin)",
        [
            new("event_id", "String"),
            new("version", "UInt8"),
            new("vin", "String"),
            new("node", "String"),
            new("kind", KindType),
            new("code", "UInt32"),
            new("detail", "String"),
            new("started_at", "DateTime"),
            new("ended_at", "Nullable(DateTime)"),
            new("start_offset", "UInt64"),
            new("end_offset", "Nullable(UInt64)"),
        ])
    {
        VersionColumn = "version",
    };

    public static void Write(RowBinaryWriter writer, in AlarmEventRow row)
    {
        writer.WriteString(row.EventId);
        writer.WriteUInt8(row.Version);
        writer.WriteString(row.Vin);
        writer.WriteString(row.Node);
        writer.WriteInt8(row.Kind);
        writer.WriteUInt32(row.Code);
        writer.WriteString(row.Detail);
        writer.WriteDateTime(row.StartedAt);
        writer.WriteNullableDateTime(row.EndedAt);
        writer.WriteUInt64((ulong)row.StartOffset);
        if (writer.WriteNullFlag(row.EndOffset.HasValue))
        {
            writer.WriteUInt64((ulong)row.EndOffset!.Value);
        }
    }
}
