using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Schema;

namespace Ingest.Sinks.ClickHouse.Rows;

/// <summary><c>sessions</c>: vehicle and platform logins and logouts, one row per frame.</summary>
public readonly record struct SessionEventRow : IClickHouseRow<SessionEventRow>
{
    public required string Node { get; init; }

    public required long SpoolOffset { get; init; }

    public required string Vin { get; init; }

    public required SessionEvent Event { get; init; }

    /// <summary>Time in the login/logout data unit, when valid.</summary>
    public DateTimeOffset? DeviceTime { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Login/logout serial number (流水号), when the frame has one.</summary>
    public ushort? Serial { get; init; }

    /// <summary>SIM ICCID from a vehicle login; empty otherwise.</summary>
    public string? Iccid { get; init; }

    public StoredProtocol Protocol { get; init; }

    public string? Listener { get; init; }

    public string? RemoteEndpoint { get; init; }

    public static ClickHouseTable Table { get; } = new(
        "sessions",
        partitionBy: "toYYYYMM(received_at)",
        orderBy: "(vin, received_at, node, spool_offset)",
        shardingKey: "cityHash64(vin)",
        [
            new("node", "String"),
            new("spool_offset", "UInt64"),
            new("vin", "String"),
            new("event", EnumTypes.SessionEvent),
            new("device_time", "Nullable(DateTime)"),
            new("received_at", "DateTime"),
            new("serial", "Nullable(UInt16)"),
            new("iccid", "String"),
            new("protocol", EnumTypes.Protocol),
            new("listener", "String"),
            new("remote_endpoint", "String"),
        ]);

    public static void Write(RowBinaryWriter writer, in SessionEventRow row)
    {
        writer.WriteString(row.Node);
        writer.WriteUInt64((ulong)row.SpoolOffset);
        writer.WriteString(row.Vin);
        writer.WriteInt8((sbyte)row.Event);
        writer.WriteNullableDateTime(row.DeviceTime);
        writer.WriteDateTime(row.ReceivedAt);
        writer.WriteNullableUInt16(row.Serial);
        writer.WriteString(row.Iccid);
        writer.WriteInt8((sbyte)row.Protocol);
        writer.WriteString(row.Listener);
        writer.WriteString(row.RemoteEndpoint);
    }
}
