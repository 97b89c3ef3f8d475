using Ingest.Protocol.Errors;
using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.Bodies;

/// <summary>Terminal control command ids (2016 §8.3 table 37).</summary>
public static class Gb32960ControlCommand
{
    /// <summary>0x01 remote upgrade; arguments are the ';'-separated upgrade fields (see <see cref="RemoteUpgrade"/>).</summary>
    public const byte RemoteUpgrade = 0x01;

    /// <summary>0x02 terminal power off.</summary>
    public const byte PowerOff = 0x02;

    /// <summary>0x03 terminal reset.</summary>
    public const byte Reset = 0x03;

    /// <summary>0x04 restore factory settings.</summary>
    public const byte FactoryReset = 0x04;

    /// <summary>0x05 disconnect the data communication link.</summary>
    public const byte DisconnectLink = 0x05;

    /// <summary>0x06 terminal alarm/warning: level BYTE then text.</summary>
    public const byte Alarm = 0x06;

    /// <summary>0x07 open the sampling-inspection platform link.</summary>
    public const byte OpenSamplingLink = 0x07;

    public static string Name(byte command) => command switch
    {
        RemoteUpgrade => "remote_upgrade",
        PowerOff => "power_off",
        Reset => "reset",
        FactoryReset => "factory_reset",
        DisconnectLink => "disconnect_link",
        Alarm => "alarm",
        OpenSamplingLink => "open_sampling_link",
        _ => $"control_0x{command:X2}",
    };
}

/// <summary>
/// 0x82 terminal control, platform to terminal (2016 §8.3): time, control command id and its arguments, kept raw
/// (only upgrade and alarm have any); <see cref="TryGetRemoteUpgrade"/> and <see cref="TryGetAlarm"/> read them.
/// </summary>
public sealed class TerminalControl : Gb32960Body
{
    public GbTime Time { get; init; }

    /// <summary>See <see cref="Gb32960ControlCommand"/>.</summary>
    public byte ControlCommand { get; init; }

    public ReadOnlyMemory<byte> Arguments { get; init; }

    public override int EncodedLength => GbTime.Size + 1 + Arguments.Length;

    public bool TryGetRemoteUpgrade(out RemoteUpgrade upgrade)
    {
        upgrade = default!;
        return ControlCommand == Gb32960ControlCommand.RemoteUpgrade && RemoteUpgrade.TryParse(Arguments.Span, out upgrade);
    }

    /// <summary>The warning level and text of an alarm command (0x06).</summary>
    public bool TryGetAlarm(out byte level, out string text)
    {
        level = 0;
        text = "";
        if (ControlCommand != Gb32960ControlCommand.Alarm || Arguments.IsEmpty)
        {
            return false;
        }
        level = Arguments.Span[0];
        text = Ascii.Text(Arguments.Span[1..]);
        return true;
    }

    internal override void Write(ref BigEndianWriter w)
    {
        w.Time(Time);
        w.Byte(ControlCommand);
        w.Bytes(Arguments.Span);
    }

    internal static DecodeError TryRead(ReadOnlyMemory<byte> data, out TerminalControl? body)
    {
        body = null;
        var r = new SpanReader(data.Span);
        if (!r.TryReadTime(out var time))
        {
            return BodyErrors.Truncated(r.Position, GbTime.Size, data.Length);
        }
        if (!r.TryReadByte(out byte command))
        {
            return BodyErrors.Truncated(r.Position, 1, data.Length);
        }
        body = new TerminalControl { Time = time, ControlCommand = command, Arguments = data[r.Position..] };
        return default;
    }
}

/// <summary>
/// Remote upgrade arguments (2016 §8.3 table 38): dial-point name; user; password; server address (6 bytes, IPv4 in
/// the last four); port WORD; manufacturer id (4); hardware version (5); firmware version (5); URL; timeout WORD (min).
/// Fields are ';'-separated, but the binary ones may themselves contain 0x3B, so they are read by position.
/// </summary>
public sealed record RemoteUpgrade(
    string DialPoint, string User, string Password, ReadOnlyMemory<byte> Address, ushort Port,
    string ManufacturerId, string HardwareVersion, string FirmwareVersion, string Url, ushort TimeoutMin)
{
    public static bool TryParse(ReadOnlySpan<byte> args, out RemoteUpgrade upgrade)
    {
        upgrade = null!;
        var texts = new string[3];
        int at = 0;
        for (int i = 0; i < 3; i++)
        {
            int sep = args[at..].IndexOf((byte)';');
            if (sep < 0)
            {
                return false;
            }
            texts[i] = Ascii.Text(args.Slice(at, sep));
            at += sep + 1;
        }
        // address(6) ; port(2) ; manufacturer(4) ; hardware(5) ; firmware(5) ; -- then URL ; timeout(2) from the end.
        const int fixedPart = 6 + 1 + 2 + 1 + 4 + 1 + 5 + 1 + 5 + 1;
        if (args.Length - at < fixedPart + 3)
        {
            return false;
        }
        var f = args[at..];
        if (f[6] != ';' || f[9] != ';' || f[14] != ';' || f[20] != ';' || f[26] != ';' || args[^3] != ';')
        {
            return false;
        }
        var address = f[..6].ToArray();
        ushort port = (ushort)(f[7] << 8 | f[8]);
        string url = Ascii.Text(f[fixedPart..^3]);
        ushort timeout = (ushort)(args[^2] << 8 | args[^1]);
        upgrade = new RemoteUpgrade(texts[0], texts[1], texts[2], address, port, Ascii.Text(f.Slice(10, 4)),
            Ascii.Text(f.Slice(15, 5)), Ascii.Text(f.Slice(21, 5)), url, timeout);
        return true;
    }
}
