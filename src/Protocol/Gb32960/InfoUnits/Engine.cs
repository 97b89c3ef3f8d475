using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.InfoUnits;

/// <summary>
/// 0x04 engine (2016 §7.2.3.4 table 13: state, crankshaft speed, fuel consumption rate, 5 bytes; 2025: crankshaft
/// speed only, 2 bytes).
/// </summary>
public sealed class Engine : Gb32960InfoUnit
{
    public const byte TypeCode = 0x04;
    public const int Size2016 = 5;
    public const int Size2025 = 2;

    public required Gb32960Edition Edition { get; init; }

    /// <summary>2016 only.</summary>
    public EngineState State { get; init; }

    /// <summary>Raw crankshaft speed, 1 rpm.</summary>
    public ushort CrankshaftSpeedRaw { get; init; }

    /// <summary>2016 only: raw fuel consumption rate, 0.01 L/100 km.</summary>
    public ushort FuelConsumptionRaw { get; init; }

    public Scaled CrankshaftSpeedRpm => Scaled.FromWord(CrankshaftSpeedRaw);

    public Scaled FuelConsumptionLPer100Km => Scaled.FromWord(FuelConsumptionRaw, 0.01);

    public override byte Type => TypeCode;

    public override Gb32960InfoKind Kind => Gb32960InfoKind.Engine;

    public override int BodyLength => Edition == Gb32960Edition.V2025 ? Size2025 : Size2016;

    internal static int Measure(ReadOnlySpan<byte> rest, Gb32960Edition edition)
    {
        int size = edition == Gb32960Edition.V2025 ? Size2025 : Size2016;
        return rest.Length >= size ? size : -1;
    }

    internal static Engine Read(ReadOnlySpan<byte> body, Gb32960Edition edition)
    {
        var r = new SpanReader(body);
        if (edition == Gb32960Edition.V2025)
        {
            r.TryReadUInt16(out ushort rpm);
            return new Engine { Edition = edition, CrankshaftSpeedRaw = rpm };
        }
        r.TryReadByte(out byte state);
        r.TryReadUInt16(out ushort speed);
        r.TryReadUInt16(out ushort consumption);
        return new Engine { Edition = edition, State = (EngineState)state, CrankshaftSpeedRaw = speed, FuelConsumptionRaw = consumption };
    }

    internal override void WriteBody(ref BigEndianWriter w)
    {
        if (Edition == Gb32960Edition.V2025)
        {
            w.UInt16(CrankshaftSpeedRaw);
            return;
        }
        w.Byte((byte)State);
        w.UInt16(CrankshaftSpeedRaw);
        w.UInt16(FuelConsumptionRaw);
    }
}
