using System.Diagnostics.CodeAnalysis;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239.InfoUnits;

/// <summary>
/// Info type 0x80, the supplementary data stream: 17 bytes of torque mode, pedal, fuel and urea totals and DPF
/// temperature. HJ 1239.2 "补充数据流". [S: HJ terminal code; urea units from two public parsers, see each property
/// and src/Protocol/Hj1239/README.md]
/// </summary>
public sealed class SupplementaryDataStream : Hj1239InfoUnit
{
    public const byte TypeCode = 0x80;

    public const int Length = 17;

    public override byte InfoType => TypeCode;

    public override int EncodedLength => Length;

    /// <summary>Engine torque mode (J1939 SPN 899 style state code), kept as sent.</summary>
    public byte EngineTorqueMode { get; init; }

    /// <summary>Accelerator pedal position, 0.4 %.</summary>
    public byte AcceleratorPedalRaw { get; init; }

    /// <summary>Total fuel used, 0.5 L.</summary>
    public uint TotalFuelUsedRaw { get; init; }

    /// <summary>Urea tank temperature, 1 °C with offset -40.</summary>
    public byte UreaTankTemperatureRaw { get; init; }

    /// <summary>Actual urea dosing, 0.01 mL/h [S: "0.01 per bit", unit likely mL/h].</summary>
    public uint UreaDosingRaw { get; init; }

    /// <summary>
    /// Total urea used, 1 g per bit. [S x2: a Shanghai local-standard C decoder ("精度：1 g per bit") and a Python
    /// field table (unit "g", no scaling) agree; the terminal encoders write the counter unscaled. Before issue 10
    /// this was read as 0.5 L by analogy with total fuel used, which no source states.]
    /// </summary>
    public uint TotalUreaUsedRaw { get; init; }

    /// <summary>DPF exhaust temperature, 0.03125 °C with offset -273.</summary>
    public ushort DpfExhaustTemperatureRaw { get; init; }

    public Scaled AcceleratorPedalPercent => EngineScaling.LevelPercent(AcceleratorPedalRaw);

    public Scaled TotalFuelUsedL => Scaled.FromDWord(TotalFuelUsedRaw, 0.5);

    public Scaled UreaTankTemperatureC => EngineScaling.TemperatureByteC(UreaTankTemperatureRaw);

    public Scaled UreaDosingMlph => Scaled.FromDWord(UreaDosingRaw, 0.01);

    public Scaled TotalUreaUsedG => Scaled.FromDWord(TotalUreaUsedRaw);

    public Scaled DpfExhaustTemperatureC => EngineScaling.ExhaustTemperatureC(DpfExhaustTemperatureRaw);

    public static bool TryRead(ReadOnlySpan<byte> body, [NotNullWhen(true)] out SupplementaryDataStream? value)
    {
        if (body.Length != Length)
        {
            value = null;
            return false;
        }
        var r = new BodyReader(body);
        value = new SupplementaryDataStream
        {
            EngineTorqueMode = r.Byte(),
            AcceleratorPedalRaw = r.Byte(),
            TotalFuelUsedRaw = r.DWord(),
            UreaTankTemperatureRaw = r.Byte(),
            UreaDosingRaw = r.DWord(),
            TotalUreaUsedRaw = r.DWord(),
            DpfExhaustTemperatureRaw = r.Word(),
        };
        return true;
    }

    public override void Write(Span<byte> destination)
    {
        var w = new BodyWriter(destination[..Length]);
        w.Byte(EngineTorqueMode);
        w.Byte(AcceleratorPedalRaw);
        w.DWord(TotalFuelUsedRaw);
        w.Byte(UreaTankTemperatureRaw);
        w.DWord(UreaDosingRaw);
        w.DWord(TotalUreaUsedRaw);
        w.Word(DpfExhaustTemperatureRaw);
    }
}
