using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.InfoUnits;

/// <summary>
/// 0x01 whole-vehicle data (2016 §7.2.3.1 table 9, 20 bytes; 2025 §7.2.4.1 table 10, 18 bytes). 2025 moves the
/// total-current offset from -1000 A to -3000 A, adds the gear-validity bit 7 and drops both pedal bytes.
/// </summary>
public sealed class VehicleData : Gb32960InfoUnit
{
    public const byte TypeCode = 0x01;
    public const int Size2016 = 20;
    public const int Size2025 = 18;

    public required Gb32960Edition Edition { get; init; }

    public VehicleState VehicleState { get; init; }

    public ChargingState ChargingState { get; init; }

    public RunningMode RunningMode { get; init; }

    /// <summary>Raw speed, 0.1 km/h.</summary>
    public ushort SpeedRaw { get; init; }

    /// <summary>Raw odometer, 0.1 km.</summary>
    public uint OdometerRaw { get; init; }

    /// <summary>Raw total voltage, 0.1 V.</summary>
    public ushort TotalVoltageRaw { get; init; }

    /// <summary>Raw total current, 0.1 A with offset -1000 A (2016) or -3000 A (2025).</summary>
    public ushort TotalCurrentRaw { get; init; }

    /// <summary>Raw state of charge, 1 %.</summary>
    public byte SocRaw { get; init; }

    public DcDcState DcDcState { get; init; }

    /// <summary>Gear byte: position bits 0-3, braking force bit 4, driving force bit 5, 2025 validity bit 7.</summary>
    public byte GearRaw { get; init; }

    /// <summary>Raw insulation resistance, 1 kΩ.</summary>
    public ushort InsulationResistanceRaw { get; init; }

    /// <summary>2016 only: accelerator pedal travel, 1 %.</summary>
    public byte AcceleratorPedalRaw { get; init; }

    /// <summary>2016 only: brake pedal travel, 1 %; 0x65 (101) means "applied" when no travel value is available.</summary>
    public byte BrakePedalRaw { get; init; }

    public Scaled SpeedKmh => Scaled.FromWord(SpeedRaw, 0.1);

    public Scaled OdometerKm => Scaled.FromDWord(OdometerRaw, 0.1);

    public Scaled TotalVoltageV => Scaled.FromWord(TotalVoltageRaw, 0.1);

    public Scaled TotalCurrentA => Scaled.FromWord(TotalCurrentRaw, 0.1, Edition == Gb32960Edition.V2025 ? -3000 : -1000);

    public Scaled SocPercent => Scaled.FromByte(SocRaw);

    public Gb32960Gear Gear => new(GearRaw, Edition);

    /// <summary>The 2016 text defines no sentinel here, but 0xFFFE/0xFFFF lie outside its 0-60000 range and real frames use them.</summary>
    public Scaled InsulationResistanceKOhm => Scaled.FromWord(InsulationResistanceRaw);

    public Scaled AcceleratorPedalPercent => Scaled.FromByte(AcceleratorPedalRaw);

    public Scaled BrakePedalPercent => Scaled.FromByte(BrakePedalRaw);

    public override byte Type => TypeCode;

    public override Gb32960InfoKind Kind => Gb32960InfoKind.VehicleData;

    public override int BodyLength => Edition == Gb32960Edition.V2025 ? Size2025 : Size2016;

    internal static int Measure(ReadOnlySpan<byte> rest, Gb32960Edition edition)
    {
        int size = edition == Gb32960Edition.V2025 ? Size2025 : Size2016;
        return rest.Length >= size ? size : -1;
    }

    internal static VehicleData Read(ReadOnlySpan<byte> body, Gb32960Edition edition)
    {
        var r = new SpanReader(body);
        r.TryReadByte(out byte state);
        r.TryReadByte(out byte charging);
        r.TryReadByte(out byte mode);
        r.TryReadUInt16(out ushort speed);
        r.TryReadUInt32(out uint odometer);
        r.TryReadUInt16(out ushort voltage);
        r.TryReadUInt16(out ushort current);
        r.TryReadByte(out byte soc);
        r.TryReadByte(out byte dcdc);
        r.TryReadByte(out byte gear);
        r.TryReadUInt16(out ushort insulation);
        byte accelerator = 0, brake = 0;
        if (edition == Gb32960Edition.V2016)
        {
            r.TryReadByte(out accelerator);
            r.TryReadByte(out brake);
        }
        return new VehicleData
        {
            Edition = edition,
            VehicleState = (VehicleState)state,
            ChargingState = (ChargingState)charging,
            RunningMode = (RunningMode)mode,
            SpeedRaw = speed,
            OdometerRaw = odometer,
            TotalVoltageRaw = voltage,
            TotalCurrentRaw = current,
            SocRaw = soc,
            DcDcState = (DcDcState)dcdc,
            GearRaw = gear,
            InsulationResistanceRaw = insulation,
            AcceleratorPedalRaw = accelerator,
            BrakePedalRaw = brake,
        };
    }

    internal override void WriteBody(ref BigEndianWriter w)
    {
        w.Byte((byte)VehicleState);
        w.Byte((byte)ChargingState);
        w.Byte((byte)RunningMode);
        w.UInt16(SpeedRaw);
        w.UInt32(OdometerRaw);
        w.UInt16(TotalVoltageRaw);
        w.UInt16(TotalCurrentRaw);
        w.Byte(SocRaw);
        w.Byte((byte)DcDcState);
        w.Byte(GearRaw);
        w.UInt16(InsulationResistanceRaw);
        if (Edition == Gb32960Edition.V2016)
        {
            w.Byte(AcceleratorPedalRaw);
            w.Byte(BrakePedalRaw);
        }
    }
}

/// <summary>The gear byte (2016 Annex A table A.1; 2025 adds bit 7).</summary>
public readonly record struct Gb32960Gear(byte Raw, Gb32960Edition Edition)
{
    /// <summary>0 neutral, 1-12 forward gears, 13 reverse, 14 drive (automatic), 15 park.</summary>
    public int Position => Raw & 0x0F;

    public bool HasBrakingForce => (Raw & 0x10) != 0;

    public bool HasDrivingForce => (Raw & 0x20) != 0;

    /// <summary>2025 bit 7: 0 = the position is valid. Always true for 2016.</summary>
    public bool IsPositionValid => Edition == Gb32960Edition.V2016 || (Raw & 0x80) == 0;

    public string PositionName => Position switch
    {
        0 => "neutral",
        13 => "reverse",
        14 => "drive",
        15 => "park",
        _ => Position.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
