using System.Globalization;
using System.Text.Json;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239;

/// <summary>
/// One JSON object per frame, for export, debugging and the HTTP surface, in the vocabulary of
/// <see cref="DecodeJson"/> shared with <see cref="Gb32960.Gb32960JsonWriter"/>: units in names, sentinels as
/// "abnormal"/"invalid", times at +08:00, bytes in <c>_hex</c> fields, text only when printable.
/// <para><c>protocol</c> names what the bytes show: "gb17691" (Annex Q layout), "hj1239", or
/// "gb17691_or_hj1239" when the frame carries no evidence of either (login, logout and time sync are the same in
/// both; <c>layout</c> is then "undetermined").</para>
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
                w.WriteString("body", "vehicle_login");
                DecodeJson.Time(w, "time", login.Time);
                w.WriteNumber("login_serial", login.Serial);
                DecodeJson.Text(w, "iccid", login.IccidBytes.Span);
                break;
            case Hj1239LogoutBody logout:
                w.WriteString("body", "vehicle_logout");
                DecodeJson.Time(w, "time", logout.Time);
                w.WriteNumber("login_serial", logout.Serial);
                break;
            case Hj1239TimeSyncBody sync:
                w.WriteString("body", "time_sync");
                if (sync.PlatformTime is { } platformTime)
                {
                    DecodeJson.Time(w, "platform_time", platformTime);
                }
                break;
            case Hj1239DataBody report:
                WriteDataReport(w, report, frame.Layout);
                break;
            case Hj1239RemovalAlarmBody alarm:
                w.WriteString("body", "removal_alarm");
                DecodeJson.Time(w, "time", alarm.Time);
                w.WriteNumber("serial", alarm.Serial);
                WritePosition(w, alarm.Position);
                WriteSignature(w, alarm.Signature);
                break;
            case Hj1239ActivationBody activation:
                w.WriteString("body", "activation");
                DecodeJson.Time(w, "time", activation.Time);
                DecodeJson.Text(w, "chip_id", activation.ChipIdBytes.Span);
                DecodeJson.Bytes(w, "public_key", activation.PublicKey.Span);
                DecodeJson.Text(w, "activation_vin", activation.Vin.AsSpan());
                WriteSignature(w, activation.Signature);
                break;
            case Hj1239ActivationResponseBody response:
                w.WriteString("body", "activation_response");
                w.WriteString("result", response.Status switch
                {
                    Hj1239ActivationResponseBody.StatusSuccess => "success",
                    Hj1239ActivationResponseBody.StatusFailure => "failed",
                    _ => DecodeJson.Hex(response.Status),
                });
                w.WriteString("info", response.Reason switch
                {
                    Hj1239ActivationResponseBody.ReasonChipAlreadyActivated => "chip_already_used",
                    Hj1239ActivationResponseBody.ReasonVinError => "vin_error",
                    Hj1239ActivationResponseBody.ReasonOther => "other",
                    Hj1239ActivationResponseBody.ReasonTimeoutOrSignature => "timeout_or_signature",
                    _ => DecodeJson.Hex(response.Reason),
                });
                break;
            case Hj1239RawBody raw:
                w.WriteString("body", "raw");
                w.WriteString("raw_reason", raw.Reason switch
                {
                    Hj1239RawReason.Encrypted => DecodeJson.ErrorName(Errors.DecodeErrorKind.Encrypted),
                    Hj1239RawReason.UnknownCommand => DecodeJson.ErrorName(Errors.DecodeErrorKind.UnknownCommand),
                    _ => "undefined_body",
                });
                DecodeJson.Bytes(w, "data", raw.Bytes.Span);
                break;
        }
        w.WriteEndObject();
    }

    /// <summary>The protocol name the frame's layout supports (see the class remarks).</summary>
    public static string ProtocolName(Hj1239Layout layout) => layout switch
    {
        Hj1239Layout.AnnexQ => "gb17691",
        Hj1239Layout.Hj1239 => "hj1239",
        _ => "gb17691_or_hj1239",
    };

    private static void WriteHeader(Utf8JsonWriter w, Hj1239Frame frame)
    {
        w.WriteString("protocol", ProtocolName(frame.Layout));
        w.WriteString("layout", frame.Layout switch
        {
            Hj1239Layout.AnnexQ => "annex_q",
            Hj1239Layout.Hj1239 => "hj1239",
            _ => "undetermined",
        });
        w.WriteString("command", Hj1239Command.Name(frame.Command));
        w.WriteString("command_hex", DecodeJson.Hex(frame.Command));
        w.WriteString("vin", frame.Vin.ToString());
        w.WriteNumber("software_version", frame.Header.SoftwareVersion);
        w.WriteString("encryption", frame.Header.Encryption switch
        {
            Gb32960Encryption.None => "none",
            Gb32960Encryption.Rsa => "rsa",
            Gb32960Encryption.Aes128OrSm2 => "sm2",
            Gb32960Encryption.Abnormal => "abnormal",
            Gb32960Encryption.Invalid => "invalid",
            var other => DecodeJson.Hex(other),
        });
        w.WriteString("encryption_hex", DecodeJson.Hex(frame.Header.Encryption));
        w.WriteNumber("data_length", frame.Header.DataLength);
    }

    private static void WriteDataReport(Utf8JsonWriter w, Hj1239DataBody report, Hj1239Layout layout)
    {
        w.WriteString("body", report.IsReissue ? "reissue" : "realtime");
        w.WriteBoolean("is_reissue", report.IsReissue);
        bool hj = layout == Hj1239Layout.Hj1239;
        DecodeJson.Time(w, hj ? "send_time" : "collection_time", report.Time);
        if (report.Serial is { } serial)
        {
            w.WriteNumber("info_serial", serial);
        }
        w.WriteStartArray("items");
        foreach (var item in report.Items)
        {
            w.WriteStartObject();
            w.WriteString("type", Hj1239InfoTypes.Name(item.InfoType));
            w.WriteString("type_hex", DecodeJson.Hex(item.InfoType));
            if (item.Serial is { } itemSerial)
            {
                w.WriteNumber("info_serial", itemSerial);
            }
            if (item.CollectionTime is { } collected)
            {
                DecodeJson.Time(w, "collection_time", collected);
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
                WriteScaled(w, "total_urea_used_g", s.TotalUreaUsedG);
                WriteScaled(w, "dpf_exhaust_temperature_c", s.DpfExhaustTemperatureC);
                break;
            case UserDefinedData u:
                // A reserved or user-defined type: kept raw, with how its body was delimited.
                w.WriteString("user_item_layout", u.Layout == Hj1239UserItemLayout.LengthPrefixed ? "length_prefixed" : "rest_of_items");
                DecodeJson.Bytes(w, "data", u.Data.Span);
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
            _ => obd.ProtocolRaw == 0xFE ? "invalid" : DecodeJson.Hex(obd.ProtocolRaw),
        });
        w.WriteString("mil", obd.MilOn switch
        {
            true => "on",
            false => "off",
            null => obd.MilRaw == 0xFE ? "invalid" : DecodeJson.Hex(obd.MilRaw),
        });
        w.WriteString("diagnostic_support_hex", DecodeJson.Hex((ushort)obd.DiagnosticSupport));
        WriteMonitors(w, "monitors_supported", obd.DiagnosticSupport);
        w.WriteString("diagnostic_readiness_hex", DecodeJson.Hex((ushort)obd.DiagnosticReadiness));
        WriteMonitors(w, "monitors_not_ready", obd.DiagnosticReadiness);
        DecodeJson.Text(w, "ecu_vin", obd.Vin.AsSpan());
        DecodeJson.Text(w, "calibration_id", obd.CalibrationIdBytes.Span);
        DecodeJson.Bytes(w, "cvn", obd.CvnBytes.Span);
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
            w.WriteStringValue(DecodeJson.Hex(dtc));
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
        // HJ 1239.2 signs with SM2 only (digest 3.4); the name keeps the GB/T 32960-2025 signature's shape.
        w.WriteString("algorithm", "sm2");
        DecodeJson.Bytes(w, "r", signature.R.Span);
        DecodeJson.Bytes(w, "s", signature.S.Span);
        w.WriteEndObject();
    }

    private static void WriteScaled(Utf8JsonWriter w, string name, Scaled value) => DecodeJson.Value(w, name, value);
}
