using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Schema;

namespace Ingest.Sinks.ClickHouse.Rows;

/// <summary>
/// <c>frames_raw</c>: every accepted frame as received, one row per spool record, for history, replay and export.
/// Keyed on the receive time, which every record has (the device time may be missing or invalid).
/// </summary>
public readonly record struct FrameRawRow : IClickHouseRow<FrameRawRow>
{
    /// <summary>Ingest node whose spool holds the record (spool offsets are unique per node).</summary>
    public required string Node { get; init; }

    public required long SpoolOffset { get; init; }

    /// <summary>When the node received the frame (from the spool envelope, never "now" at projection time).</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    public required string Vin { get; init; }

    public StoredProtocol Protocol { get; init; }

    /// <summary>Protocol edition as the decoder reports it (e.g. 2016 or 2025 for GB/T 32960); 0 when unknown.</summary>
    public ushort Edition { get; init; }

    public byte Command { get; init; }

    public byte ReplyFlag { get; init; }

    public byte Encryption { get; init; }

    /// <summary>Time in the frame's data unit, when it has a valid one.</summary>
    public DateTimeOffset? DeviceTime { get; init; }

    /// <summary>Listener (endpoint name) that accepted the connection.</summary>
    public string? Listener { get; init; }

    /// <summary>Terminal address, <c>ip:port</c>.</summary>
    public string? RemoteEndpoint { get; init; }

    /// <summary>The whole frame, start marker to check byte.</summary>
    public ReadOnlyMemory<byte> FrameBytes { get; init; }

    /// <summary>The SM2 signature verdict (see <see cref="Signatures.SignatureVerdict"/>); not_checked on listeners with policy Off.</summary>
    public Signatures.SignatureVerdict Signature { get; init; }

    /// <summary>Added by migration 2 (after <c>frame_bytes</c>): rows stored before it read not_checked. Declared before
    /// <see cref="Table"/>, which uses it (static initialisers run in text order).</summary>
    public static ClickHouseColumn SignatureColumn { get; } = new("signature", Signatures.SignatureVerdicts.ColumnType);

    /// <summary>
    /// The vehicle was not in the registry when an open listener accepted the frame (<c>EnvelopeFlags.Unfiled</c>);
    /// stored as <c>admitted</c> = 0, else 1.
    /// </summary>
    public bool Unfiled { get; init; }

    /// <summary>Added by migration 3; rows from before it read 1.</summary>
    public static ClickHouseColumn AdmittedColumn { get; } = new("admitted", "UInt8", Default: "1");

    public static ClickHouseTable Table { get; } = new(
        "frames_raw",
        partitionBy: "toYYYYMMDD(received_at)",
        orderBy: "(vin, received_at, node, spool_offset)",
        shardingKey: "cityHash64(vin)",
        [
            new("node", "String"),
            new("spool_offset", "UInt64"),
            new("received_at", "DateTime"),
            new("vin", "String"),
            new("protocol", EnumTypes.Protocol),
            new("edition", "UInt16"),
            new("command", "UInt8"),
            new("reply_flag", "UInt8"),
            new("encryption", "UInt8"),
            new("device_time", "Nullable(DateTime)"),
            new("listener", "String"),
            new("remote_endpoint", "String"),
            new("frame_bytes", "String"),
            SignatureColumn,
            AdmittedColumn,
        ]);

    public static void Write(RowBinaryWriter writer, in FrameRawRow row)
    {
        writer.WriteString(row.Node);
        writer.WriteUInt64((ulong)row.SpoolOffset);
        writer.WriteDateTime(row.ReceivedAt);
        writer.WriteString(row.Vin);
        writer.WriteInt8((sbyte)row.Protocol);
        writer.WriteUInt16(row.Edition);
        writer.WriteUInt8(row.Command);
        writer.WriteUInt8(row.ReplyFlag);
        writer.WriteUInt8(row.Encryption);
        writer.WriteNullableDateTime(row.DeviceTime);
        writer.WriteString(row.Listener);
        writer.WriteString(row.RemoteEndpoint);
        writer.WriteBytes(row.FrameBytes.Span);
        writer.WriteInt8((sbyte)row.Signature);
        writer.WriteUInt8(row.Unfiled ? (byte)0 : (byte)1);
    }
}
