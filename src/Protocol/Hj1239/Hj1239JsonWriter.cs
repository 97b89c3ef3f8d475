using System.Globalization;
using System.Text.Json;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239;

/// <summary>
/// One JSON object per frame, for export, debugging and the HTTP surface. Every measurement is in engineering
/// units with the unit in its snake_case name (<c>vehicle_speed_kmh</c>); sentinels are the strings "abnormal" and
/// "invalid", never numbers; times are ISO 8601 Beijing time (+08:00), or "invalid" with the raw bytes beside them;
/// byte fields that are not text are hex.
/// </summary>
public static class Hj1239JsonWriter
{
    public static void Write(Utf8JsonWriter w, Hj1239Frame frame)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(frame);
        w.WriteStartObject();
        WriteHeader(w, frame);
        switch (frame.Body)
        {
            case Hj1239LoginBody login:
                WriteTime(w, "time", login.Time);
                w.WriteNumber("login_serial", login.Serial);
                w.WriteString("iccid", login.Iccid);
                break;
            case Hj1239LogoutBody logout:
                WriteTime(w, "time", logout.Time);
                w.WriteNumber("login_serial", logout.Serial);
                break;
            case Hj1239TimeSyncBody sync when sync.PlatformTime is { } platformTime:
                WriteTime(w, "platform_time", platformTime);
                break;
            case Hj1239DataBody report:
                WriteDataReport(w, report, frame.Layout);
                break;
            case Hj1239RemovalAlarmBody alarm:
                WriteTime(w, "time", alarm.Time);
                w.WriteNumber("serial", alarm.Serial);
                WritePosition(w, alarm.Position);
                WriteSignature(w, alarm.Signature);
                break;
            case Hj1239ActivationBody activation:
                WriteTime(w, "time", activation.Time);
                w.WriteString("chip_id", activation.ChipId);
                w.WriteString("public_key", Convert.ToHexString(activation.PublicKey.Span));
                w.WriteString("activation_vin", activation.Vin.ToString());
                WriteSignature(w, activation.Signature);
                break;
            case Hj1239ActivationResponseBody response:
                w.WriteString("status", response.Status switch
                {
                    Hj1239ActivationResponseBody.StatusSuccess => "success",
                    Hj1239ActivationResponseBody.StatusFailure => "failure",
                    _ => Hex(response.Status),
                });
                w.WriteString("reason_code", Hex(response.Reason));
                break;
            case Hj1239RawBody raw:
                w.WriteString("raw_reason", raw.Reason switch
                {
                    Hj1239RawReason.Encrypted => "encrypted",
                    Hj1239RawReason.UnknownCommand => "unknown_command",
                    _ => "undefined_body",
                });
                w.WriteString("data", Convert.ToHexString(raw.Bytes.Span));
                break;
        }
        w.WriteEndObject();
    }

    private static void WriteHeader(Utf8JsonWriter w, Hj1239Frame frame)
    {
        w.WriteString("protocol", frame.Layout == Hj1239Layout.AnnexQ ? "gb17691" : "hj1239");
        if (frame.Layout == Hj1239Layout.Auto)
        {
            w.WriteString("layout", "undetermined");
        }
        w.WriteString("command", Hj1239Command.Name(frame.Command));
        w.WriteString("command_hex", Hex(frame.Command));
        w.WriteString("vin", frame.Vin.ToString());
        w.WriteNumber("software_version", frame.Header.SoftwareVersion);
        w.WriteString("encryption", frame.Header.Encryption switch
        {
            Gb32960Encryption.None => "none",
            Gb32960Encryption.Rsa => "rsa",
            Gb32960Encryption.Aes128OrSm2 => "sm2",
            Gb32960Encryption.Abnormal => "abnormal",
            Gb32960Encryption.Invalid => "invalid",
            var other => Hex(other),
        });
    }

    private static void WriteDataReport(Utf8JsonWriter w, Hj1239DataBody report, Hj1239Layout layout)
    {
        bool hj = layout == Hj1239Layout.Hj1239;
        WriteTime(w, hj ? "send_time" : "collection_time", report.Time);
        if (report.Serial is { } serial)
        {
            w.WriteNumber("info_serial", serial);
        }
        w.WriteStartArray("items");
        foreach (var item in report.Items)
        {
            w.WriteStartObject();
            w.WriteString("type", Hj1239InfoTypes.Name(item.InfoType));
            w.WriteString("type_code", Hex(item.InfoType));
            if (item.Serial is { } itemSerial)
            {
                w.WriteNumber("info_serial", itemSerial);
            }
            if (item.CollectionTime is { } collected)
            {
                WriteTime(w, "collection_time", collected);
            }
            WriteUnit(w, item.Unit);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteSignature(w, report.Signature);
    }

    private static void WriteUnit(Utf8JsonWriter w, Hj1239InfoUnit unit)
    {
        switch (unit)
        {
            case ObdInfo obd:
                WriteObd(w, obd);
                break;
            case DieselDataStream d:
                WriteEngineBasics(w, d.VehicleSpeedKmh, d.BarometricPressureKpa, d.EngineNetTorquePercent,
                    d.FrictionTorquePercent, d.EngineSpeedRpm, d.FuelFlowLph);
                WriteScaled(w, "scr_upstream_nox_ppm", d.ScrUpstreamNoxPpm);
                WriteScaled(w, "scr_downstream_nox_ppm", d.ScrDownstreamNoxPpm);
                WriteScaled(w, "reagent_remaining_percent", d.ReagentRemainingPercent);
                WriteScaled(w, "intake_air_flow_kgph", d.IntakeAirFlowKgph);
                WriteScaled(w, "scr_inlet_temperature_c", d.ScrInletTemperatureC);
                WriteScaled(w, "scr_outlet_temperature_c", d.ScrOutletTemperatureC);
                WriteScaled(w, "dpf_differential_pressure_kpa", d.DpfDifferentialPressureKpa);
                WriteScaled(w, "coolant_temperature_c", d.CoolantTemperatureC);
                WriteScaled(w, "fuel_level_percent", d.FuelLevelPercent);
                WritePosition(w, d.Position);
                WriteScaled(w, "odometer_km", d.OdometerKm);
                break;
            case SparkIgnitionDataStream s:
                WriteEngineBasics(w, s.VehicleSpeedKmh, s.BarometricPressureKpa, s.EngineNetTorquePercent,
                    s.FrictionTorquePercent, s.EngineSpeedRpm, s.FuelFlowLph);
                WriteScaled(w, "upstream_oxygen_equivalence_ratio", s.UpstreamOxygenEquivalenceRatio);
                WriteScaled(w, "downstream_oxygen_v", s.DownstreamOxygenV);
                WriteScaled(w, "intake_air_flow_kgph", s.IntakeAirFlowKgph);
                WriteScaled(w, "coolant_temperature_c", s.CoolantTemperatureC);
                WriteScaled(w, "catalyst_temperature_c", s.CatalystTemperatureC);
                WritePosition(w, s.Position);
                WriteScaled(w, "odometer_km", s.OdometerKm);
                break;
            case TwcNoxDataStream t:
                WriteEngineBasics(w, t.VehicleSpeedKmh, t.BarometricPressureKpa, t.EngineNetTorquePercent,
                    t.FrictionTorquePercent, t.EngineSpeedRpm, t.FuelFlowLph);
                WriteScaled(w, "upstream_oxygen_equivalence_ratio", t.UpstreamOxygenEquivalenceRatio);
                WriteScaled(w, "downstream_oxygen_v", t.DownstreamOxygenV);
                WriteScaled(w, "nox_ppm", t.NoxPpm);
                WriteScaled(w, "intake_air_flow_kgph", t.IntakeAirFlowKgph);
                WriteScaled(w, "coolant_temperature_c", t.CoolantTemperatureC);
                WriteScaled(w, "catalyst_temperature_c", t.CatalystTemperatureC);
                WritePosition(w, t.Position);
                WriteScaled(w, "odometer_km", t.OdometerKm);
                break;
            case HybridSupplement h:
                WriteScaled(w, "motor_speed_rpm", h.MotorSpeedRpm);
                WriteScaled(w, "motor_load_percent", h.MotorLoadPercent);
                WriteScaled(w, "battery_voltage_v", h.BatteryVoltageV);
                WriteScaled(w, "battery_current_a", h.BatteryCurrentA);
                WriteScaled(w, "state_of_charge_percent", h.StateOfChargePercent);
                break;
            case SupplementaryDataStream s:
                w.WriteNumber("engine_torque_mode", s.EngineTorqueMode);
                WriteScaled(w, "accelerator_pedal_percent", s.AcceleratorPedalPercent);
                WriteScaled(w, "total_fuel_used_l", s.TotalFuelUsedL);
                WriteScaled(w, "urea_tank_temperature_c", s.UreaTankTemperatureC);
                WriteScaled(w, "urea_dosing_mlph", s.UreaDosingMlph);
                WriteScaled(w, "total_urea_used_l", s.TotalUreaUsedL);
                WriteScaled(w, "dpf_exhaust_temperature_c", s.DpfExhaustTemperatureC);
                break;
        }
    }

    private static void WriteObd(Utf8JsonWriter w, ObdInfo obd)
    {
        w.WriteString("obd_protocol", obd.Protocol switch
        {
            ObdProtocol.Iso15765 => "iso_15765",
            ObdProtocol.Iso27145 => "iso_27145",
            ObdProtocol.SaeJ1939 => "sae_j1939",
            _ => obd.ProtocolRaw == 0xFE ? "invalid" : Hex(obd.ProtocolRaw),
        });
        w.WriteString("mil", obd.MilOn switch
        {
            true => "on",
            false => "off",
            null => obd.MilRaw == 0xFE ? "invalid" : Hex(obd.MilRaw),
        });
        w.WriteString("diagnostic_support", "0x" + ((ushort)obd.DiagnosticSupport).ToString("X4", CultureInfo.InvariantCulture));
        WriteMonitors(w, "monitors_supported", obd.DiagnosticSupport);
        w.WriteString("diagnostic_readiness", "0x" + ((ushort)obd.DiagnosticReadiness).ToString("X4", CultureInfo.InvariantCulture));
        WriteMonitors(w, "monitors_not_ready", obd.DiagnosticReadiness);
        w.WriteString("ecu_vin", obd.Vin.ToString());
        w.WriteString("calibration_id", obd.CalibrationId);
        w.WriteString("cvn", Convert.ToHexString(obd.CvnBytes.Span));
        w.WriteStartArray("iupr");
        for (int i = 0; i < ObdInfo.IuprLength / 2; i++)
        {
            w.WriteNumberValue(obd.IuprCounter(i));
        }
        w.WriteEndArray();
        if (obd.DtcCount is { } count)
        {
            w.WriteNumber("dtc_count", count);
        }
        else
        {
            w.WriteString("dtc_count", "invalid");
        }
        w.WriteStartArray("dtcs");
        foreach (uint dtc in obd.Dtcs.Span)
        {
            w.WriteStringValue(dtc.ToString("X8", CultureInfo.InvariantCulture));
        }
        w.WriteEndArray();
    }

    private static void WriteMonitors(Utf8JsonWriter w, string name, ObdMonitors monitors)
    {
        w.WriteStartArray(name);
        for (int bit = 0; bit < 16; bit++)
        {
            var flag = (ObdMonitors)(1 << bit);
            if ((monitors & flag) != 0)
            {
                w.WriteStringValue(MonitorName(flag));
            }
        }
        w.WriteEndArray();
    }

    private static string MonitorName(ObdMonitors flag) => flag switch
    {
        ObdMonitors.Catalyst => "catalyst",
        ObdMonitors.HeatedCatalyst => "heated_catalyst",
        ObdMonitors.EvaporativeSystem => "evaporative_system",
        ObdMonitors.SecondaryAir => "secondary_air",
        ObdMonitors.AcRefrigerant => "ac_refrigerant",
        ObdMonitors.ExhaustGasSensor => "exhaust_gas_sensor",
        ObdMonitors.ExhaustGasSensorHeater => "exhaust_gas_sensor_heater",
        ObdMonitors.EgrVvt => "egr_vvt",
        ObdMonitors.ColdStartAid => "cold_start_aid",
        ObdMonitors.BoostPressureControl => "boost_pressure_control",
        ObdMonitors.Dpf => "dpf",
        ObdMonitors.ScrNoxAdsorber => "scr_nox_adsorber",
        ObdMonitors.NmhcCatalyst => "nmhc_catalyst",
        ObdMonitors.Misfire => "misfire",
        ObdMonitors.FuelSystem => "fuel_system",
        _ => "comprehensive_components",
    };

    private static void WriteEngineBasics(Utf8JsonWriter w, Scaled speed, Scaled pressure, Scaled torque, Scaled friction, Scaled rpm, Scaled fuelFlow)
    {
        WriteScaled(w, "vehicle_speed_kmh", speed);
        WriteScaled(w, "barometric_pressure_kpa", pressure);
        WriteScaled(w, "engine_net_torque_percent", torque);
        WriteScaled(w, "friction_torque_percent", friction);
        WriteScaled(w, "engine_speed_rpm", rpm);
        WriteScaled(w, "fuel_flow_lph", fuelFlow);
    }

    private static void WritePosition(Utf8JsonWriter w, GnssPosition position)
    {
        w.WriteBoolean("position_valid", position.IsFixValid);
        WriteScaled(w, "longitude_deg", position.LongitudeDeg);
        WriteScaled(w, "latitude_deg", position.LatitudeDeg);
    }

    private static void WriteSignature(Utf8JsonWriter w, Hj1239Signature? signature)
    {
        if (signature is null)
        {
            return;
        }
        w.WriteStartObject("signature");
        w.WriteString("r", Convert.ToHexString(signature.R.Span));
        w.WriteString("s", Convert.ToHexString(signature.S.Span));
        w.WriteEndObject();
    }

    private static void WriteScaled(Utf8JsonWriter w, string name, Scaled value)
    {
        switch (value.Status)
        {
            case ValueStatus.Valid:
                w.WriteNumber(name, value.Value);
                break;
            case ValueStatus.Abnormal:
                w.WriteString(name, "abnormal");
                break;
            default:
                w.WriteString(name, "invalid");
                break;
        }
    }

    private static void WriteTime(Utf8JsonWriter w, string name, GbTime time)
    {
        if (time.TryToDateTimeOffset(out var instant))
        {
            w.WriteString(name, instant.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
            return;
        }
        Span<byte> raw = stackalloc byte[GbTime.Size];
        time.Write(raw);
        w.WriteString(name, "invalid");
        w.WriteString(name + "_raw", Convert.ToHexString(raw));
    }

    private static string Hex(byte value) => "0x" + value.ToString("X2", CultureInfo.InvariantCulture);
}
