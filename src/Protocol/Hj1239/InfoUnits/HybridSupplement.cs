using System.Diagnostics.CodeAnalysis;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239.InfoUnits;

/// <summary>
/// Info type 0x04, the hybrid-vehicle supplement: 8 bytes of motor and traction-battery values. HJ 1239.2.
/// [S: HJ terminal code; units not confirmed by a real frame]
/// </summary>
public sealed class HybridSupplement : Hj1239InfoUnit
{
    public const byte TypeCode = 0x04;

    public const int Length = 8;

    public override byte InfoType => TypeCode;

    public override int EncodedLength => Length;

    /// <summary>Drive motor speed, 1 rpm.</summary>
    public ushort MotorSpeedRaw { get; init; }

    /// <summary>Drive motor load, 1 %.</summary>
    public byte MotorLoadRaw { get; init; }

    /// <summary>Traction battery voltage, 0.1 V.</summary>
    public ushort BatteryVoltageRaw { get; init; }

    /// <summary>Traction battery current, 0.1 A with offset -1000 A.</summary>
    public ushort BatteryCurrentRaw { get; init; }

    /// <summary>State of charge, 1 %.</summary>
    public byte StateOfChargeRaw { get; init; }

    public Scaled MotorSpeedRpm => Scaled.FromWord(MotorSpeedRaw);

    public Scaled MotorLoadPercent => Scaled.FromByte(MotorLoadRaw);

    public Scaled BatteryVoltageV => Scaled.FromWord(BatteryVoltageRaw, 0.1);

    public Scaled BatteryCurrentA => Scaled.FromWord(BatteryCurrentRaw, 0.1, -1000);

    public Scaled StateOfChargePercent => Scaled.FromByte(StateOfChargeRaw);

    public static bool TryRead(ReadOnlySpan<byte> body, [NotNullWhen(true)] out HybridSupplement? value)
    {
        if (body.Length != Length)
        {
            value = null;
            return false;
        }
        var r = new BodyReader(body);
        value = new HybridSupplement
        {
            MotorSpeedRaw = r.Word(),
            MotorLoadRaw = r.Byte(),
            BatteryVoltageRaw = r.Word(),
            BatteryCurrentRaw = r.Word(),
            StateOfChargeRaw = r.Byte(),
        };
        return true;
    }

    public override void Write(Span<byte> destination)
    {
        var w = new BodyWriter(destination[..Length]);
        w.Word(MotorSpeedRaw);
        w.Byte(MotorLoadRaw);
        w.Word(BatteryVoltageRaw);
        w.Word(BatteryCurrentRaw);
        w.Byte(StateOfChargeRaw);
    }
}
