using Ingest.Protocol.Framing;

namespace LoadGen.Frames;

/// <summary>The protocol a simulated terminal speaks.</summary>
public enum TerminalProtocol : byte
{
    /// <summary>GB/T 32960.3-2016: "##", response flag at byte 3, replies with flag 0x01.</summary>
    Gb2016,

    /// <summary>GB/T 32960.3-2025: "$$", 2025 info-type numbering and a signature after the items.</summary>
    Gb2025,

    /// <summary>HJ 1239.2: "##" with the VIN at byte 3, per-item collection time, optional SM2 signature; every uplink answered.</summary>
    Hj1239,

    /// <summary>GB 17691-2018 Annex Q: the HJ header with type + serial items; the platform answers nothing.</summary>
    Gb17691,
}

public static class TerminalProtocols
{
    public static readonly TerminalProtocol[] All = [TerminalProtocol.Gb2016, TerminalProtocol.Gb2025, TerminalProtocol.Hj1239, TerminalProtocol.Gb17691];

    /// <summary>The name used on the command line and in reports.</summary>
    public static string Name(this TerminalProtocol protocol) => protocol switch
    {
        TerminalProtocol.Gb2016 => "gb2016",
        TerminalProtocol.Gb2025 => "gb2025",
        TerminalProtocol.Hj1239 => "hj1239",
        _ => "gb17691",
    };

    public static bool TryParse(string text, out TerminalProtocol protocol)
    {
        foreach (var p in All)
        {
            if (string.Equals(p.Name(), text, StringComparison.OrdinalIgnoreCase))
            {
                protocol = p;
                return true;
            }
        }
        protocol = default;
        return false;
    }

    public static HeaderLayout Layout(this TerminalProtocol protocol) =>
        protocol is TerminalProtocol.Gb2016 or TerminalProtocol.Gb2025 ? HeaderLayout.Gb32960 : HeaderLayout.Hj1239;

    public static FrameMarker Marker(this TerminalProtocol protocol) =>
        protocol == TerminalProtocol.Gb2025 ? FrameMarker.Dollar : FrameMarker.Hash;

    /// <summary>Only GB/T 32960 has a heartbeat command (0x07); HJ 1239 uses 0x07 for activation.</summary>
    public static bool HasHeartbeat(this TerminalProtocol protocol) => protocol.Layout() == HeaderLayout.Gb32960;

    /// <summary>Annex Q terminals expect no reply to anything.</summary>
    public static bool ExpectsReplies(this TerminalProtocol protocol) => protocol != TerminalProtocol.Gb17691;
}

/// <summary>Uplink command ids used by the simulated terminals (the same values in both standards where they exist).</summary>
public static class Commands
{
    public const byte Login = 0x01;
    public const byte Realtime = 0x02;
    public const byte Reissue = 0x03;
    public const byte Logout = 0x04;
    public const byte PlatformLogin = 0x05;
    public const byte PlatformLogout = 0x06;
    public const byte Heartbeat = 0x07;
    public const byte TimeSync = 0x08;

    /// <summary>HJ 1239 time sync (GB/T 32960 uses 0x08).</summary>
    public const byte HjTimeSync = 0x05;

    /// <summary>HJ 1239 vehicle removal (anti-tamper) alarm.</summary>
    public const byte HjRemovalAlarm = 0x06;

    public static string Name(byte command) => command switch
    {
        Login => "login",
        Realtime => "realtime",
        Reissue => "reissue",
        Logout => "logout",
        Heartbeat => "heartbeat",
        _ => $"0x{command:X2}",
    };
}
