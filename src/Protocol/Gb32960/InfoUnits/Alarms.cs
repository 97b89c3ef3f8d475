using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.InfoUnits;

/// <summary>
/// Alarms: 0x07 in 2016 (§7.2.3.7 tables 17-18), 0x06 in 2025. Highest alarm level, the general alarm flags and four
/// counted lists of OEM fault codes (energy storage, drive motor, engine, other); 2025 appends a counted list of
/// (alarm id, level) pairs. Flags and lists need not agree (real frames disagree); both are kept as sent.
/// </summary>
public sealed class Alarms : Gb32960InfoUnit
{
    public const byte TypeCode2016 = 0x07;
    public const byte TypeCode2025 = 0x06;

    public required Gb32960Edition Edition { get; init; }

    /// <summary>0 none, 1 no effect on driving, 2 limits driving, 3 stop / request help; 0xFE/0xFF sentinels.</summary>
    public byte MaxLevel { get; init; }

    public Gb32960GeneralAlarms GeneralFlags { get; init; }

    public IReadOnlyList<uint> EnergyStorageFaults { get; init; } = [];

    public IReadOnlyList<uint> DriveMotorFaults { get; init; } = [];

    public IReadOnlyList<uint> EngineFaults { get; init; } = [];

    public IReadOnlyList<uint> OtherFaults { get; init; } = [];

    /// <summary>2025 only: individual alarms with their levels.</summary>
    public IReadOnlyList<AlarmEntry> Entries { get; init; } = [];

    /// <summary>
    /// Whether <see cref="GeneralFlags"/> is a real bit set. 0xFFFFFFFE / 0xFFFFFFFF are the DWORD abnormal and
    /// invalid sentinels (Part 1, "all DWORDs accept 0xFFFFFFFE/0xFFFFFFFF"), not 31 or 32 active alarms.
    /// </summary>
    public ValueStatus GeneralFlagsStatus => Sentinel.OfDWord((uint)GeneralFlags);

    /// <summary>
    /// The snake_case name of general flag <paramref name="bit"/> in <paramref name="edition"/>, or null for a bit
    /// that edition reserves: 2016 defines bits 0-18, 2025 adds 19-27 (digest Part 1 0x07, Part 2 0x06).
    /// </summary>
    public static string? GeneralFlagName(Gb32960Edition edition, int bit)
    {
        int highest = edition == Gb32960Edition.V2025 ? 27 : 18;
        return bit >= 0 && bit <= highest ? StateNames.Of((Gb32960GeneralAlarms)(1u << bit)) : null;
    }

    public override byte Type => Edition == Gb32960Edition.V2025 ? TypeCode2025 : TypeCode2016;

    public override Gb32960InfoKind Kind => Gb32960InfoKind.Alarms;

    public override int BodyLength =>
        1 + 4 + 4 + 4 * (EnergyStorageFaults.Count + DriveMotorFaults.Count + EngineFaults.Count + OtherFaults.Count)
        + (Edition == Gb32960Edition.V2025 ? 1 + 2 * Entries.Count : 0);

    internal static int Measure(ReadOnlySpan<byte> rest, Gb32960Edition edition)
    {
        int at = 5;
        for (int list = 0; list < 4; list++)
        {
            if (rest.Length <= at)
            {
                return -1;
            }
            at += 1 + 4 * rest[at];
        }
        if (edition == Gb32960Edition.V2025)
        {
            if (rest.Length <= at)
            {
                return -1;
            }
            at += 1 + 2 * rest[at];
        }
        return rest.Length >= at ? at : -1;
    }

    internal static Alarms Read(ReadOnlySpan<byte> body, Gb32960Edition edition)
    {
        var r = new SpanReader(body);
        r.TryReadByte(out byte level);
        r.TryReadUInt32(out uint flags);
        var storage = ReadCodes(ref r);
        var motor = ReadCodes(ref r);
        var engine = ReadCodes(ref r);
        var other = ReadCodes(ref r);
        AlarmEntry[] entries = [];
        if (edition == Gb32960Edition.V2025)
        {
            r.TryReadByte(out byte count);
            entries = new AlarmEntry[count];
            for (int i = 0; i < count; i++)
            {
                r.TryReadByte(out byte id);
                r.TryReadByte(out byte entryLevel);
                entries[i] = new AlarmEntry(id, entryLevel);
            }
        }
        return new Alarms
        {
            Edition = edition,
            MaxLevel = level,
            GeneralFlags = (Gb32960GeneralAlarms)flags,
            EnergyStorageFaults = storage,
            DriveMotorFaults = motor,
            EngineFaults = engine,
            OtherFaults = other,
            Entries = entries,
        };
    }

    private static uint[] ReadCodes(ref SpanReader r)
    {
        r.TryReadByte(out byte count);
        var codes = new uint[count];
        for (int i = 0; i < count; i++)
        {
            r.TryReadUInt32(out codes[i]);
        }
        return codes;
    }

    internal override void WriteBody(ref BigEndianWriter w)
    {
        w.Byte(MaxLevel);
        w.UInt32((uint)GeneralFlags);
        WriteCodes(ref w, EnergyStorageFaults, nameof(EnergyStorageFaults));
        WriteCodes(ref w, DriveMotorFaults, nameof(DriveMotorFaults));
        WriteCodes(ref w, EngineFaults, nameof(EngineFaults));
        WriteCodes(ref w, OtherFaults, nameof(OtherFaults));
        if (Edition == Gb32960Edition.V2025)
        {
            Check.Count(Entries.Count, byte.MaxValue, nameof(Entries));
            w.Byte((byte)Entries.Count);
            foreach (var e in Entries)
            {
                w.Byte(e.Id);
                w.Byte(e.Level);
            }
        }
    }

    private static void WriteCodes(ref BigEndianWriter w, IReadOnlyList<uint> codes, string name)
    {
        Check.Count(codes.Count, byte.MaxValue, name);
        w.Byte((byte)codes.Count);
        foreach (uint code in codes)
        {
            w.UInt32(code);
        }
    }
}

/// <summary>One 2025 alarm: its id and level.</summary>
public readonly record struct AlarmEntry(byte Id, byte Level);

/// <summary>General alarm flag bits (2016 table 18 bits 0-18; 2025 adds 19-27). A set bit means the alarm is active.</summary>
[Flags]
public enum Gb32960GeneralAlarms : uint
{
    None = 0,
    TemperatureDifference = 1u << 0,
    BatteryHighTemperature = 1u << 1,
    EnergyStorageOverVoltage = 1u << 2,
    EnergyStorageUnderVoltage = 1u << 3,
    SocLow = 1u << 4,
    CellOverVoltage = 1u << 5,
    CellUnderVoltage = 1u << 6,
    SocHigh = 1u << 7,
    SocJump = 1u << 8,
    EnergyStorageMismatch = 1u << 9,
    CellConsistencyPoor = 1u << 10,
    Insulation = 1u << 11,
    DcDcTemperature = 1u << 12,
    BrakingSystem = 1u << 13,
    DcDcState = 1u << 14,
    MotorControllerTemperature = 1u << 15,
    HighVoltageInterlock = 1u << 16,
    MotorTemperature = 1u << 17,
    EnergyStorageOverCharge = 1u << 18,
    MotorOverSpeed = 1u << 19,
    MotorOverCurrent = 1u << 20,
    SuperCapacitorOverTemperature = 1u << 21,
    SuperCapacitorOverPressure = 1u << 22,
    BatteryThermalEvent = 1u << 23,
    HydrogenLeak = 1u << 24,
    HydrogenSystemPressureAbnormal = 1u << 25,
    HydrogenSystemTemperatureAbnormal = 1u << 26,
    FuelCellStackOverTemperature = 1u << 27,
}
