namespace Ingest.Protocol.Gb32960;

/// <summary>Command ids of GB/T 32960.3 (2016 §6.3.1 table 3; 2025 adds 0x09-0x0B).</summary>
public static class Gb32960Command
{
    /// <summary>0x01 vehicle login, terminal to platform (2016 §7.1).</summary>
    public const byte VehicleLogin = 0x01;

    /// <summary>0x02 realtime information report (2016 §7.2).</summary>
    public const byte RealtimeReport = 0x02;

    /// <summary>0x03 reissued information report: the 0x02 body sent again after an outage (2016 §7.3).</summary>
    public const byte ReissueReport = 0x03;

    /// <summary>0x04 vehicle logout (2016 §7.4).</summary>
    public const byte VehicleLogout = 0x04;

    /// <summary>0x05 platform login, platform to superior platform (2016 Annex B).</summary>
    public const byte PlatformLogin = 0x05;

    /// <summary>0x06 platform logout (2016 Annex B).</summary>
    public const byte PlatformLogout = 0x06;

    /// <summary>0x07 heartbeat, empty data unit (2016 §7.5).</summary>
    public const byte Heartbeat = 0x07;

    /// <summary>0x08 terminal time sync, empty data unit; the reply carries the time (2016 §7.6).</summary>
    public const byte TimeSync = 0x08;

    /// <summary>0x09 activation with the security chip's public key and a signature (2025 only).</summary>
    public const byte Activation = 0x09;

    /// <summary>0x0A activation response, platform to terminal (2025 only).</summary>
    public const byte ActivationResponse = 0x0A;

    /// <summary>0x0B payload key synchronisation (2025 only).</summary>
    public const byte KeySync = 0x0B;

    /// <summary>0x80 parameter query, platform to terminal (2016 §8.1).</summary>
    public const byte ParameterQuery = 0x80;

    /// <summary>0x81 parameter set, platform to terminal (2016 §8.2).</summary>
    public const byte ParameterSet = 0x81;

    /// <summary>0x82 terminal control, platform to terminal (2016 §8.3).</summary>
    public const byte TerminalControl = 0x82;

    /// <summary>snake_case name for JSON and logs; custom and unknown ids get a generic name.</summary>
    public static string Name(byte command) => command switch
    {
        VehicleLogin => "vehicle_login",
        RealtimeReport => "realtime",
        ReissueReport => "reissue",
        VehicleLogout => "vehicle_logout",
        PlatformLogin => "platform_login",
        PlatformLogout => "platform_logout",
        Heartbeat => "heartbeat",
        TimeSync => "time_sync",
        Activation => "activation",
        ActivationResponse => "activation_response",
        KeySync => "key_sync",
        ParameterQuery => "parameter_query",
        ParameterSet => "parameter_set",
        TerminalControl => "terminal_control",
        >= 0xC0 and <= 0xFE => "platform_custom",
        _ => "unknown",
    };
}
