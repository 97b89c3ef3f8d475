using Ingest.Protocol.Gb32960.Internal;

namespace Ingest.Protocol.Gb32960.InfoUnits;

/// <summary>
/// One information item of a realtime/reissue data unit (2016 §7.2.3, 2025 §7.2.4), decoded. The same type may
/// occur more than once in a frame, so reports hold these in a list, in wire order, never in a dictionary.
/// </summary>
public abstract class Gb32960InfoUnit
{
    private protected Gb32960InfoUnit()
    {
    }

    /// <summary>The type byte as sent (its meaning depends on the edition, see <see cref="Gb32960InfoType"/>).</summary>
    public abstract byte Type { get; }

    public abstract Gb32960InfoKind Kind { get; }

    /// <summary>Bytes after the type byte.</summary>
    public abstract int BodyLength { get; }

    internal abstract void WriteBody(ref BigEndianWriter writer);
}

/// <summary>What an info type byte means once the edition is known.</summary>
public enum Gb32960InfoKind : byte
{
    /// <summary>No known layout: platform-exchange custom (0x0A-0x2F in 2016) or reserved. The walk cannot go past it.</summary>
    Unknown = 0,
    VehicleData,
    DriveMotors,
    FuelCell,
    Engine,
    Location,
    /// <summary>2016 only (0x06); removed in 2025.</summary>
    Extremes,
    Alarms,
    CellVoltages,
    ProbeTemperatures,
    /// <summary>2025 0x30: layout not published in any source available here; not walkable.</summary>
    FuelCellStacks,
    /// <summary>2025 0x31: layout unknown; not walkable.</summary>
    SuperCapacitors,
    /// <summary>2025 0x32: layout unknown; not walkable.</summary>
    SuperCapacitorExtremes,
    /// <summary>0x80-0xFE: user (OEM) defined, WORD length then bytes.</summary>
    Oem,
    /// <summary>2025 0xFF: end of items, the signature block follows.</summary>
    SignatureStarter,
}

/// <summary>The info type tables of both editions (2016 §7.2.3 table 8; 2025 §7.2.4 table 9).</summary>
public static class Gb32960InfoType
{
    public const byte OemFirst = 0x80;
    public const byte OemLast = 0xFE;

    /// <summary>2025: 0xFF ends the items and starts the signature.</summary>
    public const byte SignatureStarter = 0xFF;

    public static Gb32960InfoKind Kind(byte type, Gb32960Edition edition)
    {
        if (type is >= OemFirst and <= OemLast)
        {
            return Gb32960InfoKind.Oem;
        }
        if (edition == Gb32960Edition.V2025)
        {
            return type switch
            {
                VehicleData.TypeCode => Gb32960InfoKind.VehicleData,
                DriveMotors.TypeCode => Gb32960InfoKind.DriveMotors,
                FuelCell.TypeCode => Gb32960InfoKind.FuelCell,
                Engine.TypeCode => Gb32960InfoKind.Engine,
                Location.TypeCode => Gb32960InfoKind.Location,
                Alarms.TypeCode2025 => Gb32960InfoKind.Alarms,
                CellVoltages.TypeCode2025 => Gb32960InfoKind.CellVoltages,
                ProbeTemperatures.TypeCode2025 => Gb32960InfoKind.ProbeTemperatures,
                0x30 => Gb32960InfoKind.FuelCellStacks,
                0x31 => Gb32960InfoKind.SuperCapacitors,
                0x32 => Gb32960InfoKind.SuperCapacitorExtremes,
                SignatureStarter => Gb32960InfoKind.SignatureStarter,
                _ => Gb32960InfoKind.Unknown,
            };
        }
        return type switch
        {
            VehicleData.TypeCode => Gb32960InfoKind.VehicleData,
            DriveMotors.TypeCode => Gb32960InfoKind.DriveMotors,
            FuelCell.TypeCode => Gb32960InfoKind.FuelCell,
            Engine.TypeCode => Gb32960InfoKind.Engine,
            Location.TypeCode => Gb32960InfoKind.Location,
            Extremes.TypeCode => Gb32960InfoKind.Extremes,
            Alarms.TypeCode2016 => Gb32960InfoKind.Alarms,
            CellVoltages.TypeCode2016 => Gb32960InfoKind.CellVoltages,
            ProbeTemperatures.TypeCode2016 => Gb32960InfoKind.ProbeTemperatures,
            _ => Gb32960InfoKind.Unknown,
        };
    }

    /// <summary>snake_case name for JSON and logs.</summary>
    public static string Name(Gb32960InfoKind kind) => kind switch
    {
        Gb32960InfoKind.VehicleData => "vehicle_data",
        Gb32960InfoKind.DriveMotors => "drive_motors",
        Gb32960InfoKind.FuelCell => "fuel_cell",
        Gb32960InfoKind.Engine => "engine",
        Gb32960InfoKind.Location => "location",
        Gb32960InfoKind.Extremes => "extremes",
        Gb32960InfoKind.Alarms => "alarms",
        Gb32960InfoKind.CellVoltages => "cell_voltages",
        Gb32960InfoKind.ProbeTemperatures => "probe_temperatures",
        Gb32960InfoKind.FuelCellStacks => "fuel_cell_stacks",
        Gb32960InfoKind.SuperCapacitors => "super_capacitors",
        Gb32960InfoKind.SuperCapacitorExtremes => "super_capacitor_extremes",
        Gb32960InfoKind.Oem => "oem",
        Gb32960InfoKind.SignatureStarter => "signature",
        _ => "unknown",
    };
}
