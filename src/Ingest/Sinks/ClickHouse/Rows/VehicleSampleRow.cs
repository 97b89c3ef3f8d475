using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Schema;

namespace Ingest.Sinks.ClickHouse.Rows;

/// <summary>
/// <c>vehicle_samples</c>: one row per GB/T 32960 real-time (0x02) or reissue (0x03) frame with a valid collection
/// time. Nullable scalars are null when the terminal sent "abnormal" (0xFE..) or "invalid" (0xFF..) or left the info
/// unit out; array elements likewise. Motors are parallel arrays indexed alike; cells and probes of all subsystems are
/// flattened in subsystem order.
/// </summary>
public readonly record struct VehicleSampleRow : IClickHouseRow<VehicleSampleRow>
{
    public required string Node { get; init; }
    public required long SpoolOffset { get; init; }
    public required string Vin { get; init; }
    /// <summary>Collection time from the data unit (the row's time key).</summary>
    public required DateTimeOffset DeviceTime { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    /// <summary>True for reissued (补发, 0x03) data.</summary>
    public bool IsReissue { get; init; }

    // Whole vehicle (0x01)
    public byte? VehicleState { get; init; }
    public byte? ChargingState { get; init; }
    public byte? RunMode { get; init; }
    public float? SpeedKmh { get; init; }
    public double? OdometerKm { get; init; }
    public float? TotalVoltageV { get; init; }
    public float? TotalCurrentA { get; init; }
    public float? SocPct { get; init; }
    public byte? DcDcState { get; init; }
    /// <summary>Gear byte as sent (bits: gear, drive force, brake force).</summary>
    public byte? Gear { get; init; }
    public float? InsulationKohm { get; init; }
    public float? AcceleratorPedalPct { get; init; }
    public float? BrakePedalPct { get; init; }

    // Position (0x05)
    public bool PositionValid { get; init; }
    public double? Longitude { get; init; }
    public double? Latitude { get; init; }

    // Extremes (0x06)
    public float? MaxCellVoltageV { get; init; }
    public float? MinCellVoltageV { get; init; }
    public float? MaxTemperatureC { get; init; }
    public float? MinTemperatureC { get; init; }

    // Alarms (0x07)
    public byte? AlarmLevel { get; init; }
    public uint AlarmFlags { get; init; }
    public ReadOnlyMemory<uint> BatteryFaultCodes { get; init; }
    public ReadOnlyMemory<uint> MotorFaultCodes { get; init; }
    public ReadOnlyMemory<uint> EngineFaultCodes { get; init; }
    public ReadOnlyMemory<uint> OtherFaultCodes { get; init; }

    // Drive motors (0x02), parallel arrays
    public ReadOnlyMemory<byte> MotorIndex { get; init; }
    public ReadOnlyMemory<byte> MotorState { get; init; }
    public ReadOnlyMemory<float?> MotorControllerTempC { get; init; }
    public ReadOnlyMemory<float?> MotorSpeedRpm { get; init; }
    public ReadOnlyMemory<float?> MotorTorqueNm { get; init; }
    public ReadOnlyMemory<float?> MotorTempC { get; init; }
    public ReadOnlyMemory<float?> MotorControllerVoltageV { get; init; }
    public ReadOnlyMemory<float?> MotorControllerCurrentA { get; init; }

    // Engine (0x04) and fuel cell (0x03)
    public byte? EngineState { get; init; }
    public float? CrankshaftRpm { get; init; }
    public float? FuelConsumptionLPer100Km { get; init; }
    public float? FuelCellVoltageV { get; init; }
    public float? FuelCellCurrentA { get; init; }
    public float? HydrogenMaxPressureMpa { get; init; }

    // Rechargeable energy storage (0x08, 0x09)
    public ReadOnlyMemory<float?> CellVoltagesV { get; init; }
    public ReadOnlyMemory<float?> ProbeTemperaturesC { get; init; }

    public static ClickHouseTable Table { get; } = new(
        "vehicle_samples",
        partitionBy: "toYYYYMM(device_time)",
        orderBy: "(vin, device_time, node, spool_offset)",
        shardingKey: "cityHash64(vin)",
        [
            new("node", "String"),
            new("spool_offset", "UInt64"),
            new("vin", "String"),
            new("device_time", "DateTime"),
            new("received_at", "DateTime"),
            new("is_reissue", "UInt8"),
            new("vehicle_state", "Nullable(UInt8)"),
            new("charging_state", "Nullable(UInt8)"),
            new("run_mode", "Nullable(UInt8)"),
            new("speed_kmh", "Nullable(Float32)"),
            new("odometer_km", "Nullable(Float64)"),
            new("total_voltage_v", "Nullable(Float32)"),
            new("total_current_a", "Nullable(Float32)"),
            new("soc_pct", "Nullable(Float32)"),
            new("dcdc_state", "Nullable(UInt8)"),
            new("gear", "Nullable(UInt8)"),
            new("insulation_kohm", "Nullable(Float32)"),
            new("accelerator_pedal_pct", "Nullable(Float32)"),
            new("brake_pedal_pct", "Nullable(Float32)"),
            new("position_valid", "UInt8"),
            new("lon", "Nullable(Float64)"),
            new("lat", "Nullable(Float64)"),
            new("max_cell_voltage_v", "Nullable(Float32)"),
            new("min_cell_voltage_v", "Nullable(Float32)"),
            new("max_temperature_c", "Nullable(Float32)"),
            new("min_temperature_c", "Nullable(Float32)"),
            new("alarm_level", "Nullable(UInt8)"),
            new("alarm_flags", "UInt32"),
            new("battery_fault_codes", "Array(UInt32)"),
            new("motor_fault_codes", "Array(UInt32)"),
            new("engine_fault_codes", "Array(UInt32)"),
            new("other_fault_codes", "Array(UInt32)"),
            new("motor_index", "Array(UInt8)"),
            new("motor_state", "Array(UInt8)"),
            new("motor_controller_temp_c", "Array(Nullable(Float32))"),
            new("motor_speed_rpm", "Array(Nullable(Float32))"),
            new("motor_torque_nm", "Array(Nullable(Float32))"),
            new("motor_temp_c", "Array(Nullable(Float32))"),
            new("motor_controller_voltage_v", "Array(Nullable(Float32))"),
            new("motor_controller_current_a", "Array(Nullable(Float32))"),
            new("engine_state", "Nullable(UInt8)"),
            new("crankshaft_rpm", "Nullable(Float32)"),
            new("fuel_consumption_l_per_100km", "Nullable(Float32)"),
            new("fuel_cell_voltage_v", "Nullable(Float32)"),
            new("fuel_cell_current_a", "Nullable(Float32)"),
            new("hydrogen_max_pressure_mpa", "Nullable(Float32)"),
            new("cell_voltages_v", "Array(Nullable(Float32))"),
            new("probe_temperatures_c", "Array(Nullable(Float32))"),
        ]);

    public static void Write(RowBinaryWriter w, in VehicleSampleRow row)
    {
        w.WriteString(row.Node);
        w.WriteUInt64((ulong)row.SpoolOffset);
        w.WriteString(row.Vin);
        w.WriteDateTime(row.DeviceTime);
        w.WriteDateTime(row.ReceivedAt);
        w.WriteBool(row.IsReissue);
        w.WriteNullableUInt8(row.VehicleState);
        w.WriteNullableUInt8(row.ChargingState);
        w.WriteNullableUInt8(row.RunMode);
        w.WriteNullableFloat32(row.SpeedKmh);
        w.WriteNullableFloat64(row.OdometerKm);
        w.WriteNullableFloat32(row.TotalVoltageV);
        w.WriteNullableFloat32(row.TotalCurrentA);
        w.WriteNullableFloat32(row.SocPct);
        w.WriteNullableUInt8(row.DcDcState);
        w.WriteNullableUInt8(row.Gear);
        w.WriteNullableFloat32(row.InsulationKohm);
        w.WriteNullableFloat32(row.AcceleratorPedalPct);
        w.WriteNullableFloat32(row.BrakePedalPct);
        w.WriteBool(row.PositionValid);
        w.WriteNullableFloat64(row.Longitude);
        w.WriteNullableFloat64(row.Latitude);
        w.WriteNullableFloat32(row.MaxCellVoltageV);
        w.WriteNullableFloat32(row.MinCellVoltageV);
        w.WriteNullableFloat32(row.MaxTemperatureC);
        w.WriteNullableFloat32(row.MinTemperatureC);
        w.WriteNullableUInt8(row.AlarmLevel);
        w.WriteUInt32(row.AlarmFlags);
        w.WriteArrayUInt32(row.BatteryFaultCodes.Span);
        w.WriteArrayUInt32(row.MotorFaultCodes.Span);
        w.WriteArrayUInt32(row.EngineFaultCodes.Span);
        w.WriteArrayUInt32(row.OtherFaultCodes.Span);
        w.WriteArrayUInt8(row.MotorIndex.Span);
        w.WriteArrayUInt8(row.MotorState.Span);
        w.WriteArrayNullableFloat32(row.MotorControllerTempC.Span);
        w.WriteArrayNullableFloat32(row.MotorSpeedRpm.Span);
        w.WriteArrayNullableFloat32(row.MotorTorqueNm.Span);
        w.WriteArrayNullableFloat32(row.MotorTempC.Span);
        w.WriteArrayNullableFloat32(row.MotorControllerVoltageV.Span);
        w.WriteArrayNullableFloat32(row.MotorControllerCurrentA.Span);
        w.WriteNullableUInt8(row.EngineState);
        w.WriteNullableFloat32(row.CrankshaftRpm);
        w.WriteNullableFloat32(row.FuelConsumptionLPer100Km);
        w.WriteNullableFloat32(row.FuelCellVoltageV);
        w.WriteNullableFloat32(row.FuelCellCurrentA);
        w.WriteNullableFloat32(row.HydrogenMaxPressureMpa);
        w.WriteArrayNullableFloat32(row.CellVoltagesV.Span);
        w.WriteArrayNullableFloat32(row.ProbeTemperaturesC.Span);
    }
}
