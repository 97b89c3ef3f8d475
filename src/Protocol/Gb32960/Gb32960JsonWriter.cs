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
/// body's fields flat in the same object, realtime items as an ordered "items" array. The vocabulary (units in
/// names, sentinels as "abnormal"/"invalid", times at +08:00, bytes in <c>_hex</c> fields, text only when
/// printable) is <see cref="DecodeJson"/>'s and shared with <see cref="Hj1239.Hj1239JsonWriter"/>; write with
/// <see cref="DecodeJson.WriterOptions"/> so '+' is not escaped.
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
                DecodeJson.Text(w, "iccid", b.Iccid.Span);
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
                SubsystemCodes(w, b);
                break;
            case RealtimeReport b:
                w.WriteString("body", b.IsReissue ? "reissue" : "realtime");
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
                    DecodeJson.Bytes(w, "unknown_tail", b.UnknownTail.Span);
                }
                if (b.Signature is { } signature)
                {
                    Signature(w, signature);
                }
                if (!b.AfterSignature.IsEmpty)
                {
                    DecodeJson.Bytes(w, "after_signature", b.AfterSignature.Span);
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
                DecodeJson.Text(w, "username", b.Username.Span);
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
                        DecodeJson.Text(w, name, p.Value.Span);
                    }
                    else if (p.Number is { } number)
                    {
                        w.WriteNumber(name, number);
                    }
                    else
                    {
                        DecodeJson.Bytes(w, name, p.Value.Span);
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
                else if (b.TryGetAlarm(out byte level, out _))
                {
                    w.WriteNumber("alarm_level", level);
                    DecodeJson.Text(w, "alarm_text", b.Arguments.Span[1..]);
                }
                else if (!b.Arguments.IsEmpty)
                {
                    DecodeJson.Bytes(w, "arguments", b.Arguments.Span);
                }
                break;
            case Activation b:
                w.WriteString("body", "activation");
                Time(w, "time", b.Time);
                DecodeJson.Text(w, "chip_id", b.ChipId.Span);
                DecodeJson.Bytes(w, "public_key", b.PublicKey.Span);
                DecodeJson.Text(w, "activation_vin", b.Vin.AsSpan());
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
                    DecodeJson.Bytes(w, "payload", b.Payload.Span);
                }
                break;
            case RawBody b:
                w.WriteString("body", "raw");
                w.WriteString("raw_reason", DecodeJson.ErrorName(b.Reason));
                DecodeJson.Bytes(w, "data", b.Data.Span);
                break;
        }
    }

    private static void Signature(Utf8JsonWriter w, Gb32960Signature signature)
    {
        w.WriteStartObject("signature");
        w.WriteString("algorithm", Gb32960Signature.AlgorithmName(signature.Algorithm));
        DecodeJson.Bytes(w, "r", signature.R.Span);
        DecodeJson.Bytes(w, "s", signature.S.Span);
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

    internal static void Time(Utf8JsonWriter w, string name, GbTime time) => DecodeJson.Time(w, name, time);

    internal static void Value(Utf8JsonWriter w, string name, Scaled value) => DecodeJson.Value(w, name, value);

    internal static void ArrayValue(Utf8JsonWriter w, Scaled value) => DecodeJson.ArrayValue(w, value);

    /// <summary>Pack codes as text when all are printable, otherwise every code as hex (one rule for the array).</summary>
    private static void SubsystemCodes(Utf8JsonWriter w, VehicleLogin b)
    {
        var texts = new string[b.Codes.Count];
        bool printable = true;
        for (int i = 0; i < texts.Length && printable; i++)
        {
            printable = DecodeJson.TryPrintable(b.Codes[i].Span, out texts[i]!);
        }
        w.WriteStartArray(printable ? "subsystem_codes" : "subsystem_codes_hex");
        for (int i = 0; i < texts.Length; i++)
        {
            w.WriteStringValue(printable ? texts[i] : Convert.ToHexString(b.Codes[i].Span));
        }
        w.WriteEndArray();
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

    internal static string Hex(byte value) => DecodeJson.Hex(value);

    /// <summary>The name of a GB/T 32960 response flag (success, error, vin_duplicate, ...; 2025 adds signature_invalid, structure_invalid, decryption_failed).</summary>
    public static string FlagName(byte flag) => flag switch
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
