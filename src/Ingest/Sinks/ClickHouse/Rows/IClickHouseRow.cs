using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Schema;

namespace Ingest.Sinks.ClickHouse.Rows;

/// <summary>A typed row of one table: knows its table and writes its columns as RowBinary, in column order.</summary>
public interface IClickHouseRow<TSelf>
    where TSelf : struct, IClickHouseRow<TSelf>
{
    static abstract ClickHouseTable Table { get; }

    static abstract void Write(RowBinaryWriter writer, in TSelf row);
}

/// <summary>What the frames were in: stored as Enum8 (new values are an <c>ALTER ... MODIFY COLUMN</c>, metadata only).</summary>
public enum StoredProtocol : sbyte
{
    Unknown = 0,
    /// <summary>GB/T 32960.3 (electric vehicles).</summary>
    Gb32960 = 1,
    /// <summary>HJ 1239 / GB 17691 (heavy-duty emission terminals).</summary>
    Hj1239 = 2,
}

/// <summary>Session events kept in the <c>sessions</c> table.</summary>
public enum SessionEvent : sbyte
{
    VehicleLogin = 1,
    VehicleLogout = 2,
    PlatformLogin = 3,
    PlatformLogout = 4,
}

internal static class EnumTypes
{
    public const string Protocol = "Enum8('unknown' = 0, 'gb32960' = 1, 'hj1239' = 2)";
    public const string SessionEvent = "Enum8('vehicle_login' = 1, 'vehicle_logout' = 2, 'platform_login' = 3, 'platform_logout' = 4)";
}
