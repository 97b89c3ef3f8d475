using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Schema;

namespace Ingest.Sinks.ClickHouse.Rows;

/// <summary>
/// <c>emission_samples</c>: HJ 1239 / GB 17691 real-time and reissue data, one row per information item of a frame
/// (<see cref="ItemIndex"/> is its position, so two items of one frame never replace each other). An OBD item
/// (type 0x01) fills the OBD columns, an engine data-stream item (0x02) the data-stream columns; the rest stay null.
/// </summary>
public readonly record struct EmissionSampleRow : IClickHouseRow<EmissionSampleRow>
{
    public required string Node { get; init; }
    public required long SpoolOffset { get; init; }
    /// <summary>Position of the information item within its frame, from 0.</summary>
    public required ushort ItemIndex { get; init; }
    public required string Vin { get; init; }
    /// <summary>Data collection time of the frame (the row's time key).</summary>
    public required DateTimeOffset CollectionTime { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public bool IsReissue { get; init; }
    /// <summary>Information type code (0x01 OBD, 0x02 data stream, 0x80.. custom).</summary>
    public byte InfoType { get; init; }

    // Engine data stream (0x02)
    public float? SpeedKmh { get; init; }
    public float? AtmosphericPressureKpa { get; init; }
    /// <summary>Engine net output torque, % of reference torque.</summary>
    public float? EngineTorquePct { get; init; }
    public float? FrictionTorquePct { get; init; }
    public float? EngineRpm { get; init; }
    public float? FuelFlowLPerH { get; init; }
    public float? NoxUpstreamPpm { get; init; }
    public float? NoxDownstreamPpm { get; init; }
    /// <summary>Reactant (urea) remaining, %.</summary>
    public float? UreaLevelPct { get; init; }
    public float? IntakeAirFlowKgPerH { get; init; }
    public float? ScrInletTempC { get; init; }
    public float? ScrOutletTempC { get; init; }
    public float? DpfPressureDropKpa { get; init; }
    public float? CoolantTempC { get; init; }
    public float? FuelLevelPct { get; init; }
    public bool PositionValid { get; init; }
    public double? Longitude { get; init; }
    public double? Latitude { get; init; }
    public double? OdometerKm { get; init; }

    // OBD (0x01)
    public byte? ObdProtocol { get; init; }
    /// <summary>Malfunction indicator lamp: 0 off, 1 on.</summary>
    public byte? MilStatus { get; init; }
    public ushort? DiagnosticSupportStatus { get; init; }
    public ushort? DiagnosticReadinessStatus { get; init; }
    public string? ObdVin { get; init; }
    public string? SoftwareCalibrationId { get; init; }
    public string? CalibrationVerificationNumber { get; init; }
    /// <summary>In-use performance ratios as hex text.</summary>
    public string? Iupr { get; init; }
    public byte? DtcCount { get; init; }
    public ReadOnlyMemory<uint> DtcCodes { get; init; }

    public static ClickHouseTable Table { get; } = new(
        "emission_samples",
        partitionBy: "toYYYYMM(collection_time)",
        orderBy: "(vin, collection_time, node, spool_offset, item_index)",
        shardingKey: "cityHash64(vin)",
        [
            new("node", "String"),
            new("spool_offset", "UInt64"),
            new("item_index", "UInt16"),
            new("vin", "String"),
            new("collection_time", "DateTime"),
            new("received_at", "DateTime"),
            new("is_reissue", "UInt8"),
            new("info_type", "UInt8"),
            new("speed_kmh", "Nullable(Float32)"),
            new("atmospheric_pressure_kpa", "Nullable(Float32)"),
            new("engine_torque_pct", "Nullable(Float32)"),
            new("friction_torque_pct", "Nullable(Float32)"),
            new("engine_rpm", "Nullable(Float32)"),
            new("fuel_flow_l_per_h", "Nullable(Float32)"),
            new("nox_upstream_ppm", "Nullable(Float32)"),
            new("nox_downstream_ppm", "Nullable(Float32)"),
            new("urea_level_pct", "Nullable(Float32)"),
            new("intake_air_flow_kg_per_h", "Nullable(Float32)"),
            new("scr_inlet_temp_c", "Nullable(Float32)"),
            new("scr_outlet_temp_c", "Nullable(Float32)"),
            new("dpf_pressure_drop_kpa", "Nullable(Float32)"),
            new("coolant_temp_c", "Nullable(Float32)"),
            new("fuel_level_pct", "Nullable(Float32)"),
            new("position_valid", "UInt8"),
            new("lon", "Nullable(Float64)"),
            new("lat", "Nullable(Float64)"),
            new("odometer_km", "Nullable(Float64)"),
            new("obd_protocol", "Nullable(UInt8)"),
            new("mil_status", "Nullable(UInt8)"),
            new("diagnostic_support_status", "Nullable(UInt16)"),
            new("diagnostic_readiness_status", "Nullable(UInt16)"),
            new("obd_vin", "String"),
            new("software_calibration_id", "String"),
            new("calibration_verification_number", "String"),
            new("iupr", "String"),
            new("dtc_count", "Nullable(UInt8)"),
            new("dtc_codes", "Array(UInt32)"),
        ]);

    public static void Write(RowBinaryWriter w, in EmissionSampleRow row)
    {
        w.WriteString(row.Node);
        w.WriteUInt64((ulong)row.SpoolOffset);
        w.WriteUInt16(row.ItemIndex);
        w.WriteString(row.Vin);
        w.WriteDateTime(row.CollectionTime);
        w.WriteDateTime(row.ReceivedAt);
        w.WriteBool(row.IsReissue);
        w.WriteUInt8(row.InfoType);
        w.WriteNullableFloat32(row.SpeedKmh);
        w.WriteNullableFloat32(row.AtmosphericPressureKpa);
        w.WriteNullableFloat32(row.EngineTorquePct);
        w.WriteNullableFloat32(row.FrictionTorquePct);
        w.WriteNullableFloat32(row.EngineRpm);
        w.WriteNullableFloat32(row.FuelFlowLPerH);
        w.WriteNullableFloat32(row.NoxUpstreamPpm);
        w.WriteNullableFloat32(row.NoxDownstreamPpm);
        w.WriteNullableFloat32(row.UreaLevelPct);
        w.WriteNullableFloat32(row.IntakeAirFlowKgPerH);
        w.WriteNullableFloat32(row.ScrInletTempC);
        w.WriteNullableFloat32(row.ScrOutletTempC);
        w.WriteNullableFloat32(row.DpfPressureDropKpa);
        w.WriteNullableFloat32(row.CoolantTempC);
        w.WriteNullableFloat32(row.FuelLevelPct);
        w.WriteBool(row.PositionValid);
        w.WriteNullableFloat64(row.Longitude);
        w.WriteNullableFloat64(row.Latitude);
        w.WriteNullableFloat64(row.OdometerKm);
        w.WriteNullableUInt8(row.ObdProtocol);
        w.WriteNullableUInt8(row.MilStatus);
        w.WriteNullableUInt16(row.DiagnosticSupportStatus);
        w.WriteNullableUInt16(row.DiagnosticReadinessStatus);
        w.WriteString(row.ObdVin);
        w.WriteString(row.SoftwareCalibrationId);
        w.WriteString(row.CalibrationVerificationNumber);
        w.WriteString(row.Iupr);
        w.WriteNullableUInt8(row.DtcCount);
        w.WriteArrayUInt32(row.DtcCodes.Span);
    }
}
