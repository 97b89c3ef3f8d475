using System.Globalization;
using System.Text.Json;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960;

/// <summary>
/// Writes a decoded frame as one JSON object (one line of JSON Lines in the decode tool): header fields, then the
/// body's fields flat in the same object, realtime items as an ordered "items" array. Every value is in engineering
/// units with the unit in its snake_case name (speed_kmh, total_voltage_v); sentinels are the strings "abnormal" /
/// "invalid", never numbers; times are ISO 8601 at +08:00 (or "invalid" plus the raw hex); raw bytes are hex.
/// </summary>
public static partial class Gb32960JsonWriter
{
    public static void Write(Utf8JsonWriter w, Gb32960Frame frame)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(frame);
        var header = frame.Header;
        w.WriteStartObject();
        w.WriteString("protocol", "gb32960");
        w.WriteString("edition", frame.Edition.Name());
        w.WriteString("command", Gb32960Command.Name(header.Command));
        w.WriteString("command_hex", Hex(header.Command));
        w.WriteString("reply_flag", FlagName(header.ResponseFlag));
        w.WriteString("reply_flag_hex", Hex(header.ResponseFlag));
        w.WriteString("vin", header.Vin.ToString());
        w.WriteString("encryption", EncryptionName(header.Encryption));
        w.WriteString("encryption_hex", Hex(header.Encryption));
        w.WriteNumber("data_length", header.DataLength);
        WriteBody(w, frame.Body);
        w.WriteEndObject();
    }

    private static void WriteBody(Utf8JsonWriter w, Gb32960Body body)
    {
        switch (body)
        {
            case VehicleLogin b:
                w.WriteString("body", "vehicle_login");
                Time(w, "time", b.Time);
                w.WriteNumber("login_serial", b.LoginSerial);
                w.WriteString("iccid", b.IccidText);
                w.WriteNumber("subsystem_count", b.SubsystemCount);
                w.WriteNumber("code_length", b.CodeLength);
                if (b.CodesPerSubsystem is { } perSubsystem)
                {
                    w.WriteStartArray("codes_per_subsystem");
                    foreach (byte c in perSubsystem)
                    {
                        w.WriteNumberValue(c);
                    }
                    w.WriteEndArray();
                }
                w.WriteStartArray("subsystem_codes");
                for (int i = 0; i < b.Codes.Count; i++)
                {
                    w.WriteStringValue(b.CodeText(i));
                }
                w.WriteEndArray();
                break;
            case RealtimeReport b:
                w.WriteString("body", b.IsReissue ? "reissue_report" : "realtime_report");
                w.WriteBoolean("is_reissue", b.IsReissue);
                Time(w, "time", b.Time);
                w.WriteStartArray("items");
                foreach (var item in b.Items)
                {
                    WriteItem(w, item);
                }
                w.WriteEndArray();
                if (!b.UnknownTail.IsEmpty)
                {
                    w.WriteString("unknown_tail_hex", Convert.ToHexString(b.UnknownTail.Span));
                }
                if (b.Signature is { } signature)
                {
                    Signature(w, signature);
                }
                if (!b.AfterSignature.IsEmpty)
                {
                    w.WriteString("after_signature_hex", Convert.ToHexString(b.AfterSignature.Span));
                }
                break;
            case VehicleLogout b:
                w.WriteString("body", "vehicle_logout");
                Time(w, "time", b.Time);
                w.WriteNumber("login_serial", b.LoginSerial);
                break;
            case PlatformLogin b:
                w.WriteString("body", "platform_login");
                Time(w, "time", b.Time);
                w.WriteNumber("login_serial", b.LoginSerial);
                w.WriteString("username", b.UsernameText);
                // The password is a credential: never printed.
                w.WriteString("password", "***");
                w.WriteString("encryption_rule", EncryptionName(b.EncryptionRule));
                break;
            case PlatformLogout b:
                w.WriteString("body", "platform_logout");
                Time(w, "time", b.Time);
                w.WriteNumber("login_serial", b.LoginSerial);
                break;
            case Heartbeat:
                w.WriteString("body", "heartbeat");
                break;
            case TimeSync:
                w.WriteString("body", "time_sync");
                break;
            case ParameterQuery b:
                w.WriteString("body", "parameter_query");
                Time(w, "time", b.Time);
                w.WriteStartArray("parameters");
                foreach (byte id in b.Ids)
                {
                    w.WriteStringValue(Gb32960ParameterId.Name(id));
                }
                w.WriteEndArray();
                break;
            case ParameterList b:
                w.WriteString("body", b is ParameterSet ? "parameter_set" : "parameter_query_result");
                Time(w, "time", b.Time);
                w.WriteStartObject("parameters");
                foreach (var p in b.Parameters)
                {
                    string name = Gb32960ParameterId.Name(p.Id);
                    if (Gb32960ParameterId.IsText(p.Id))
                    {
                        w.WriteString(name, p.Text);
                    }
                    else if (p.Number is { } number)
                    {
                        w.WriteNumber(name, number);
                    }
                    else
                    {
                        w.WriteString(name, Convert.ToHexString(p.Value.Span));
                    }
                }
                w.WriteEndObject();
                break;
            case TerminalControl b:
                w.WriteString("body", "terminal_control");
                Time(w, "time", b.Time);
                w.WriteString("control_command", Gb32960ControlCommand.Name(b.ControlCommand));
                if (b.TryGetRemoteUpgrade(out var upgrade))
                {
                    RemoteUpgrade(w, upgrade);
                }
                else if (b.TryGetAlarm(out byte level, out string text))
                {
                    w.WriteNumber("alarm_level", level);
                    w.WriteString("alarm_text", text);
                }
                else if (!b.Arguments.IsEmpty)
                {
                    w.WriteString("arguments_hex", Convert.ToHexString(b.Arguments.Span));
                }
                break;
            case Activation b:
                w.WriteString("body", "activation");
                Time(w, "time", b.Time);
                w.WriteString("chip_id", b.ChipIdText);
                w.WriteString("public_key_hex", Convert.ToHexString(b.PublicKey.Span));
                w.WriteString("activation_vin", b.Vin.ToString());
                Signature(w, b.Signature);
                break;
            case ActivationResponse b:
                w.WriteString("body", "activation_response");
                w.WriteString("result", b.Result switch
                {
                    ActivationResponse.ResultSuccess => "success",
                    ActivationResponse.ResultFailed => "failed",
                    _ => Hex(b.Result),
                });
                w.WriteString("info", b.Info switch
                {
                    ActivationResponse.InfoOk => "ok",
                    ActivationResponse.InfoChipAlreadyUsed => "chip_already_used",
                    ActivationResponse.InfoVinDuplicate => "vin_duplicate",
                    _ => Hex(b.Info),
                });
                break;
            case KeySync b:
                w.WriteString("body", "key_sync");
                w.WriteString("algorithm", EncryptionName(b.Algorithm));
                w.WriteNumber("key_length", b.Key.Length);
                Time(w, "valid_from", b.ValidFrom);
                Time(w, "valid_until", b.ValidUntil);
                break;
            case Reply b:
                w.WriteString("body", "reply");
                if (b.Time is { } time)
                {
                    Time(w, "time", time);
                }
                if (!b.Payload.IsEmpty)
                {
                    w.WriteString("payload_hex", Convert.ToHexString(b.Payload.Span));
                }
                break;
            case RawBody b:
                w.WriteString("body", "raw");
                w.WriteString("raw_reason", b.Reason.ToString());
                w.WriteString("data_hex", Convert.ToHexString(b.Data.Span));
                break;
        }
    }

    private static void Signature(Utf8JsonWriter w, Gb32960Signature signature)
    {
        w.WriteStartObject("signature");
        w.WriteString("algorithm", Gb32960Signature.AlgorithmName(signature.Algorithm));
        w.WriteString("r_hex", Convert.ToHexString(signature.R.Span));
        w.WriteString("s_hex", Convert.ToHexString(signature.S.Span));
        w.WriteEndObject();
    }

    private static void RemoteUpgrade(Utf8JsonWriter w, RemoteUpgrade u)
    {
        w.WriteStartObject("remote_upgrade");
        w.WriteString("dial_point", u.DialPoint);
        w.WriteString("user", u.User);
        w.WriteString("password", "***");
        var a = u.Address.Span;
        w.WriteString("address", $"{a[2]}.{a[3]}.{a[4]}.{a[5]}");
        w.WriteNumber("port", u.Port);
        w.WriteString("manufacturer_id", u.ManufacturerId);
        w.WriteString("hardware_version", u.HardwareVersion);
        w.WriteString("firmware_version", u.FirmwareVersion);
        w.WriteString("url", u.Url);
        w.WriteNumber("timeout_min", u.TimeoutMin);
        w.WriteEndObject();
    }

    internal static void Time(Utf8JsonWriter w, string name, GbTime time)
    {
        if (time.TryToDateTimeOffset(out var value))
        {
            w.WriteString(name, value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
            return;
        }
        w.WriteString(name, "invalid");
        Span<byte> raw = stackalloc byte[GbTime.Size];
        time.Write(raw);
        w.WriteString(name + "_raw_hex", Convert.ToHexString(raw));
    }

    internal static void Value(Utf8JsonWriter w, string name, Scaled value)
    {
        if (value.IsValid)
        {
            w.WriteNumber(name, value.Value);
        }
        else
        {
            w.WriteString(name, value.Status == ValueStatus.Abnormal ? "abnormal" : "invalid");
        }
    }

    internal static void ArrayValue(Utf8JsonWriter w, Scaled value)
    {
        if (value.IsValid)
        {
            w.WriteNumberValue(value.Value);
        }
        else
        {
            w.WriteStringValue(value.Status == ValueStatus.Abnormal ? "abnormal" : "invalid");
        }
    }

    internal static void State<TEnum>(Utf8JsonWriter w, string name, TEnum value) where TEnum : struct, Enum
    {
        if (StateNames.Of(value) is { } text)
        {
            w.WriteString(name, text);
        }
        else
        {
            w.WriteNumber(name, Convert.ToByte(value, CultureInfo.InvariantCulture));
        }
    }

    internal static string Hex(byte value) => "0x" + value.ToString("X2", CultureInfo.InvariantCulture);

    private static string FlagName(byte flag) => flag switch
    {
        Gb32960ResponseFlags.Command => "command",
        Gb32960ResponseFlags.Success => "success",
        Gb32960ResponseFlags.Error => "error",
        Gb32960ResponseFlags.VinDuplicate => "vin_duplicate",
        Gb32960ResponseFlags.VinUnknown => "vin_unknown",
        Gb32960ResponseFlags.SignatureInvalid => "signature_invalid",
        Gb32960ResponseFlags.StructureInvalid => "structure_invalid",
        Gb32960ResponseFlags.DecryptionFailed => "decryption_failed",
        _ => Hex(flag),
    };

    private static string EncryptionName(byte encryption) => encryption switch
    {
        Gb32960Encryption.None => "none",
        Gb32960Encryption.Rsa => "rsa",
        Gb32960Encryption.Aes128OrSm2 => "aes128",
        Gb32960Encryption.Sm2 => "sm2",
        Gb32960Encryption.Sm4 => "sm4",
        Gb32960Encryption.Abnormal => "abnormal",
        Gb32960Encryption.Invalid => "invalid",
        _ => Hex(encryption),
    };
}
