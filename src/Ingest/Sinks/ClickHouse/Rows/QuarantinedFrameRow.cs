using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Schema;

namespace Ingest.Sinks.ClickHouse.Rows;

/// <summary>
/// <c>frames_quarantine</c>: frames a <c>Reject</c> listener refused for their signature (not acknowledged), kept whole
/// for audit; they are in no other table, not in the live state and never relayed.
/// </summary>
public readonly record struct QuarantinedFrameRow : IClickHouseRow<QuarantinedFrameRow>
{
    public required string Node { get; init; }

    public required long SpoolOffset { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public required string Vin { get; init; }

    public StoredProtocol Protocol { get; init; }

    public byte Command { get; init; }

    public string? Listener { get; init; }

    /// <summary>Why it was refused: <c>invalid</c> (the signature does not verify) or <c>missing</c> (unsigned, key filed).</summary>
    public Signatures.SignatureVerdict Reason { get; init; }

    /// <summary>The whole frame, start marker to check byte.</summary>
    public ReadOnlyMemory<byte> FrameBytes { get; init; }

    public static ClickHouseTable Table { get; } = new(
        "frames_quarantine",
        partitionBy: "toYYYYMM(received_at)",
        orderBy: "(vin, received_at, node, spool_offset)",
        shardingKey: "cityHash64(vin)",
        [
            new("node", "String"),
            new("spool_offset", "UInt64"),
            new("received_at", "DateTime"),
            new("vin", "String"),
            new("protocol", EnumTypes.Protocol),
            new("command", "UInt8"),
            new("listener", "String"),
            new("reason", Signatures.SignatureVerdicts.ColumnType),
            new("frame_bytes", "String"),
        ]);

    public static void Write(RowBinaryWriter writer, in QuarantinedFrameRow row)
    {
        writer.WriteString(row.Node);
        writer.WriteUInt64((ulong)row.SpoolOffset);
        writer.WriteDateTime(row.ReceivedAt);
        writer.WriteString(row.Vin);
        writer.WriteInt8((sbyte)row.Protocol);
        writer.WriteUInt8(row.Command);
        writer.WriteString(row.Listener);
        writer.WriteInt8((sbyte)row.Reason);
        writer.WriteBytes(row.FrameBytes.Span);
    }
}
