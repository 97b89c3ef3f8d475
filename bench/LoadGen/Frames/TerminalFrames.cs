using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;

namespace LoadGen.Frames;

/// <summary>
/// The templates one simulated terminal sends: built once when the terminal is created, re-stamped per send.
/// <see cref="Data"/> serves realtime (0x02) and reissue (0x03): only the command byte and times differ.
/// </summary>
public sealed class TerminalFrames
{
    public TerminalFrames(TerminalProtocol protocol, FrameTemplate login, FrameTemplate data, FrameTemplate logout, FrameTemplate? heartbeat)
    {
        Protocol = protocol;
        Login = login;
        Data = data;
        Logout = logout;
        Heartbeat = heartbeat;
    }

    public TerminalProtocol Protocol { get; }

    public FrameTemplate Login { get; }

    public FrameTemplate Data { get; }

    public FrameTemplate Logout { get; }

    /// <summary>GB/T 32960 only (empty data unit, nothing to stamp).</summary>
    public FrameTemplate? Heartbeat { get; }

    /// <summary>Builds every template of one terminal. <paramref name="seed"/> varies the plausible values between terminals.</summary>
    public static TerminalFrames Build(TerminalProtocol protocol, string vin, FrameShape shape, int seed)
    {
        if (shape.Validate(protocol) is { } error)
        {
            throw new ArgumentException(error, nameof(shape));
        }
        var rng = new Random(seed);
        var id = Vin.Parse(vin);
        string iccid = Iccid(rng);
        return protocol switch
        {
            TerminalProtocol.Gb2016 or TerminalProtocol.Gb2025 => BuildGb(protocol, id, iccid, shape, rng),
            _ => BuildHj(protocol, id, iccid, shape, rng),
        };
    }

    private static TerminalFrames BuildGb(TerminalProtocol protocol, Vin vin, string iccid, FrameShape shape, Random rng)
    {
        var marker = protocol.Marker();
        FrameHeader Header(byte command) =>
            new(marker, HeaderLayout.Gb32960, command, Gb32960ResponseFlags.Command, vin, 0, Gb32960Encryption.None, 0);

        var login = new DataUnitWriter().Time(TimeFieldKind.Send).Serial();
        login.Ascii(iccid, 20);
        string packCode = PackCode(rng);
        if (protocol == TerminalProtocol.Gb2016)
        {
            login.Byte(1).Byte(packCode.Length).Ascii(packCode, packCode.Length);
        }
        else
        {
            // 2025: subsystem count, then per subsystem the number of 24-byte pack codes, then the codes.
            login.Byte(1).Byte(1).Ascii(packCode, 24);
        }

        var data = new DataUnitWriter().Time(TimeFieldKind.Collection);
        var body = new VehicleValues(rng);
        foreach (var item in shape.MixFor(protocol).Items)
        {
            for (int i = 0; i < item.Count; i++)
            {
                if (protocol == TerminalProtocol.Gb2016)
                {
                    Gb2016Items.Write(data, item.Type, shape, body);
                }
                else
                {
                    Gb2025Items.Write(data, item.Type, shape, body);
                }
            }
        }
        if (protocol == TerminalProtocol.Gb2025 && shape.Signed)
        {
            Gb2025Items.WriteSignature(data, rng);
        }

        var logout = new DataUnitWriter().Time(TimeFieldKind.Send).Serial();
        return new TerminalFrames(protocol,
            login.Finish(Header(Commands.Login)),
            data.Finish(Header(Commands.Realtime)),
            logout.Finish(Header(Commands.Logout)),
            new DataUnitWriter().Finish(Header(Commands.Heartbeat)));
    }

    private static TerminalFrames BuildHj(TerminalProtocol protocol, Vin vin, string iccid, FrameShape shape, Random rng)
    {
        FrameHeader Header(byte command) =>
            new(FrameMarker.Hash, HeaderLayout.Hj1239, command, 0, vin, shape.SoftwareVersion, Gb32960Encryption.None, 0);

        var login = new DataUnitWriter().Time(TimeFieldKind.Send).Serial().Ascii(iccid, 20);
        var body = new VehicleValues(rng);
        var data = new DataUnitWriter();
        var items = shape.MixFor(protocol).Items;
        if (protocol == TerminalProtocol.Hj1239)
        {
            // send time + info serial, then type + collection time + body; repeated samples are one second apart,
            // the last one at the collection time.
            data.Time(TimeFieldKind.Send).Serial();
            foreach (var item in items)
            {
                for (int i = 0; i < item.Count; i++)
                {
                    int before = item.Count - 1 - i;
                    data.Byte(item.Type).Time(TimeFieldKind.Collection, before);
                    HjItems.Write(data, item.Type, vin, body);
                }
            }
            if (shape.Signed)
            {
                HjItems.WriteSignature(data, rng);
            }
        }
        else
        {
            // Annex Q: collection time, then type + info serial + body with consecutive serials.
            data.Time(TimeFieldKind.Collection);
            int step = 0;
            foreach (var item in items)
            {
                for (int i = 0; i < item.Count; i++)
                {
                    data.Byte(item.Type).Serial(step++);
                    HjItems.Write(data, item.Type, vin, body);
                }
            }
        }
        var logout = new DataUnitWriter().Time(TimeFieldKind.Send).Serial();
        return new TerminalFrames(protocol,
            login.Finish(Header(Commands.Login)),
            data.Finish(Header(Commands.Realtime)),
            logout.Finish(Header(Commands.Logout)),
            heartbeat: null);
    }

    /// <summary>A 20-digit SIM ICCID with the China Mobile "8986" prefix.</summary>
    private static string Iccid(Random rng)
    {
        Span<char> digits = stackalloc char[20];
        "8986".CopyTo(digits);
        for (int i = 4; i < 20; i++)
        {
            digits[i] = (char)('0' + rng.Next(10));
        }
        return new string(digits);
    }

    private static string PackCode(Random rng)
    {
        Span<char> code = stackalloc char[24];
        "0RJPEA00".CopyTo(code);
        for (int i = 8; i < 24; i++)
        {
            code[i] = (char)('0' + rng.Next(10));
        }
        return new string(code);
    }
}
