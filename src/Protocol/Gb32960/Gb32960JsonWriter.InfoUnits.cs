using System.Text.Json;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960;

public static partial class Gb32960JsonWriter
{
    private static void WriteItem(Utf8JsonWriter w, Gb32960InfoUnit item)
    {
        w.WriteStartObject();
        w.WriteString("type", Gb32960InfoType.Name(item.Kind));
        w.WriteString("type_hex", Hex(item.Type));
        switch (item)
        {
            case VehicleData u:
                State(w, "vehicle_state", u.VehicleState);
                State(w, "charging_state", u.ChargingState);
                State(w, "running_mode", u.RunningMode);
                Value(w, "speed_kmh", u.SpeedKmh);
                Value(w, "odometer_km", u.OdometerKm);
                Value(w, "total_voltage_v", u.TotalVoltageV);
                Value(w, "total_current_a", u.TotalCurrentA);
                Value(w, "soc_percent", u.SocPercent);
                State(w, "dcdc_state", u.DcDcState);
                var gear = u.Gear;
                w.WriteString("gear", gear.PositionName);
                w.WriteBoolean("braking_force", gear.HasBrakingForce);
                w.WriteBoolean("driving_force", gear.HasDrivingForce);
                if (u.Edition == Gb32960Edition.V2025)
                {
                    w.WriteBoolean("gear_valid", gear.IsPositionValid);
                }
                Value(w, "insulation_resistance_kohm", u.InsulationResistanceKOhm);
                if (u.Edition == Gb32960Edition.V2016)
                {
                    Value(w, "accelerator_pedal_percent", u.AcceleratorPedalPercent);
                    if (u.BrakePedalRaw == 101)
                    {
                        w.WriteString("brake_pedal_percent", "applied");
                    }
                    else
                    {
                        Value(w, "brake_pedal_percent", u.BrakePedalPercent);
                    }
                }
                break;
            case DriveMotors u:
                w.WriteStartArray("motors");
                foreach (var m in u.Motors)
                {
                    w.WriteStartObject();
                    DecodeJson.Index(w, "number", m.Number);
                    State(w, "state", m.State);
                    Value(w, "controller_temperature_c", m.ControllerTemperatureC);
                    Value(w, "speed_rpm", m.SpeedRpm);
                    Value(w, "torque_nm", m.TorqueNm);
                    Value(w, "temperature_c", m.MotorTemperatureC);
                    if (u.Edition == Gb32960Edition.V2016)
                    {
                        Value(w, "controller_input_voltage_v", m.ControllerInputVoltageV);
                        Value(w, "controller_dc_bus_current_a", m.ControllerDcBusCurrentA);
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            case FuelCell u:
                Value(w, "voltage_v", u.VoltageV);
                Value(w, "current_a", u.CurrentA);
                Value(w, "fuel_consumption_kg_per_100km", u.FuelConsumptionKgPer100Km);
                w.WriteStartArray("probe_temperatures_c");
                for (int i = 0; i < u.ProbeCount; i++)
                {
                    ArrayValue(w, u.ProbeTemperatureC(i));
                }
                w.WriteEndArray();
                Value(w, "hydrogen_max_temperature_c", u.HydrogenMaxTemperatureC);
                DecodeJson.Index(w, "hydrogen_max_temperature_probe", u.HydrogenMaxTemperatureProbe);
                Value(w, "hydrogen_max_concentration_ppm", u.HydrogenMaxConcentrationPpm);
                DecodeJson.Index(w, "hydrogen_max_concentration_sensor", u.HydrogenMaxConcentrationSensor);
                Value(w, "hydrogen_max_pressure_mpa", u.HydrogenMaxPressureMpa);
                DecodeJson.Index(w, "hydrogen_max_pressure_sensor", u.HydrogenMaxPressureSensor);
                State(w, "high_voltage_dcdc_state", u.HighVoltageDcDcState);
                break;
            case Engine u:
                if (u.Edition == Gb32960Edition.V2016)
                {
                    State(w, "state", u.State);
                }
                Value(w, "crankshaft_speed_rpm", u.CrankshaftSpeedRpm);
                if (u.Edition == Gb32960Edition.V2016)
                {
                    Value(w, "fuel_consumption_l_per_100km", u.FuelConsumptionLPer100Km);
                }
                break;
            case Location u:
                w.WriteBoolean("position_valid", u.IsFixValid);
                if (u.Edition == Gb32960Edition.V2025)
                {
                    State(w, "coordinate_system", u.CoordinateSystem);
                }
                Value(w, "longitude_deg", u.LongitudeDeg);
                Value(w, "latitude_deg", u.LatitudeDeg);
                break;
            case Extremes u:
                DecodeJson.Index(w, "max_voltage_subsystem", u.MaxVoltageSubsystem);
                DecodeJson.Index(w, "max_voltage_cell", u.MaxVoltageCell);
                Value(w, "max_cell_voltage_v", u.MaxCellVoltageV);
                DecodeJson.Index(w, "min_voltage_subsystem", u.MinVoltageSubsystem);
                DecodeJson.Index(w, "min_voltage_cell", u.MinVoltageCell);
                Value(w, "min_cell_voltage_v", u.MinCellVoltageV);
                DecodeJson.Index(w, "max_temperature_subsystem", u.MaxTemperatureSubsystem);
                DecodeJson.Index(w, "max_temperature_probe", u.MaxTemperatureProbe);
                Value(w, "max_temperature_c", u.MaxTemperatureC);
                DecodeJson.Index(w, "min_temperature_subsystem", u.MinTemperatureSubsystem);
                DecodeJson.Index(w, "min_temperature_probe", u.MinTemperatureProbe);
                Value(w, "min_temperature_c", u.MinTemperatureC);
                break;
            case Alarms u:
                DecodeJson.Index(w, "max_level", u.MaxLevel);
                w.WriteString("general_flags_hex", DecodeJson.Hex((uint)u.GeneralFlags));
                GeneralAlarms(w, u);
                Codes(w, "energy_storage_faults", u.EnergyStorageFaults);
                Codes(w, "drive_motor_faults", u.DriveMotorFaults);
                Codes(w, "engine_faults", u.EngineFaults);
                Codes(w, "other_faults", u.OtherFaults);
                if (u.Edition == Gb32960Edition.V2025)
                {
                    w.WriteStartArray("alarm_list");
                    foreach (var e in u.Entries)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("id", e.Id);
                        w.WriteNumber("level", e.Level);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                break;
            case CellVoltages u:
                w.WriteStartArray("packs");
                foreach (var p in u.Packs)
                {
                    w.WriteStartObject();
                    DecodeJson.Index(w, "number", p.Number);
                    Value(w, "voltage_v", p.VoltageV);
                    Value(w, "current_a", p.CurrentA);
                    if (u.Edition == Gb32960Edition.V2016)
                    {
                        DecodeJson.Index(w, "total_cells", p.TotalCellCount);
                        DecodeJson.Index(w, "start_index", p.StartIndex);
                    }
                    w.WriteNumber("frame_cells", p.CellVoltagesRaw.Count);
                    w.WriteStartArray("cell_voltages_v");
                    for (int i = 0; i < p.CellVoltagesRaw.Count; i++)
                    {
                        ArrayValue(w, p.CellVoltageV(i));
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            case ProbeTemperatures u:
                w.WriteStartArray("packs");
                foreach (var p in u.Packs)
                {
                    w.WriteStartObject();
                    DecodeJson.Index(w, "number", p.Number);
                    w.WriteStartArray("temperatures_c");
                    for (int i = 0; i < p.ProbeCount; i++)
                    {
                        ArrayValue(w, p.TemperatureC(i));
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                break;
            case OemData u:
                DecodeJson.Bytes(w, "data", u.Data.Span);
                break;
        }
        w.WriteEndObject();
    }

    /// <summary>
    /// Active general alarms by their name in the frame's edition ("reserved_bit_N" for a bit the edition does not
    /// define); the DWORD sentinels give the status string instead of an array.
    /// </summary>
    private static void GeneralAlarms(Utf8JsonWriter w, Alarms u)
    {
        if (u.GeneralFlagsStatus != ValueStatus.Valid)
        {
            w.WriteString("general_alarms", DecodeJson.StatusName(u.GeneralFlagsStatus));
            return;
        }
        w.WriteStartArray("general_alarms");
        for (int bit = 0; bit < 32; bit++)
        {
            if (((uint)u.GeneralFlags & (1u << bit)) != 0)
            {
                w.WriteStringValue(Alarms.GeneralFlagName(u.Edition, bit) ?? $"reserved_bit_{bit}");
            }
        }
        w.WriteEndArray();
    }

    private static void Codes(Utf8JsonWriter w, string name, IReadOnlyList<uint> codes)
    {
        w.WriteStartArray(name);
        foreach (uint code in codes)
        {
            w.WriteStringValue(DecodeJson.Hex(code));
        }
        w.WriteEndArray();
    }
}
