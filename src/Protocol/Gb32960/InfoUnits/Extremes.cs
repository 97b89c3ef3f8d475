using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.InfoUnits;

/// <summary>
/// 0x06 extreme values (2016 §7.2.3.6 table 16, 14 bytes): which subsystem/cell has the highest and lowest cell
/// voltage and which subsystem/probe the highest and lowest temperature. Removed in 2025 (0x06 means alarms there).
/// </summary>
public sealed class Extremes : Gb32960InfoUnit
{
    public const byte TypeCode = 0x06;
    public const int Size = 14;

    public byte MaxVoltageSubsystem { get; init; }

    public byte MaxVoltageCell { get; init; }

    /// <summary>Raw highest cell voltage, 0.001 V.</summary>
    public ushort MaxCellVoltageRaw { get; init; }

    public byte MinVoltageSubsystem { get; init; }

    public byte MinVoltageCell { get; init; }

    /// <summary>Raw lowest cell voltage, 0.001 V.</summary>
    public ushort MinCellVoltageRaw { get; init; }

    public byte MaxTemperatureSubsystem { get; init; }

    public byte MaxTemperatureProbe { get; init; }

    /// <summary>Raw highest temperature, 1 °C, offset -40.</summary>
    public byte MaxTemperatureRaw { get; init; }

    public byte MinTemperatureSubsystem { get; init; }

    public byte MinTemperatureProbe { get; init; }

    /// <summary>Raw lowest temperature, 1 °C, offset -40.</summary>
    public byte MinTemperatureRaw { get; init; }

    public Scaled MaxCellVoltageV => Scaled.FromWord(MaxCellVoltageRaw, 0.001);

    public Scaled MinCellVoltageV => Scaled.FromWord(MinCellVoltageRaw, 0.001);

    public Scaled MaxTemperatureC => Scaled.FromByte(MaxTemperatureRaw, 1, -40);

    public Scaled MinTemperatureC => Scaled.FromByte(MinTemperatureRaw, 1, -40);

    public override byte Type => TypeCode;

    public override Gb32960InfoKind Kind => Gb32960InfoKind.Extremes;

    public override int BodyLength => Size;

    internal static int Measure(ReadOnlySpan<byte> rest) => rest.Length >= Size ? Size : -1;

    internal static Extremes Read(ReadOnlySpan<byte> b) => new()
    {
        MaxVoltageSubsystem = b[0],
        MaxVoltageCell = b[1],
        MaxCellVoltageRaw = (ushort)(b[2] << 8 | b[3]),
        MinVoltageSubsystem = b[4],
        MinVoltageCell = b[5],
        MinCellVoltageRaw = (ushort)(b[6] << 8 | b[7]),
        MaxTemperatureSubsystem = b[8],
        MaxTemperatureProbe = b[9],
        MaxTemperatureRaw = b[10],
        MinTemperatureSubsystem = b[11],
        MinTemperatureProbe = b[12],
        MinTemperatureRaw = b[13],
    };

    internal override void WriteBody(ref BigEndianWriter w)
    {
        w.Byte(MaxVoltageSubsystem);
        w.Byte(MaxVoltageCell);
        w.UInt16(MaxCellVoltageRaw);
        w.Byte(MinVoltageSubsystem);
        w.Byte(MinVoltageCell);
        w.UInt16(MinCellVoltageRaw);
        w.Byte(MaxTemperatureSubsystem);
        w.Byte(MaxTemperatureProbe);
        w.Byte(MaxTemperatureRaw);
        w.Byte(MinTemperatureSubsystem);
        w.Byte(MinTemperatureProbe);
        w.Byte(MinTemperatureRaw);
    }
}
