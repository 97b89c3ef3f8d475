using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239.InfoUnits;

/// <summary>
/// The J1939-style resolutions the data streams share (HJ 1239.2 tables for 0x02/0x03/0x05/0x80; confirmed by the
/// terminal encoders: speed*256, rpm*8, flow*20, (NOx+200)*20, level*2.5, (T+273)*32, dP*10, T+40). Two-byte J1939
/// values end at 0xFAFF, so the byte-swapped sentinel 0xFEFF some firmware writes is never a measurement here and
/// is classified as abnormal.
/// </summary>
public static class EngineScaling
{
    // Each rule's decimals are worked out once: a data-stream item converts a dozen fields, a frame up to ten items.
    private static readonly ScaleRule Speed = new(1.0 / 256);
    private static readonly ScaleRule HalfKpa = new(0.5);
    private static readonly ScaleRule Torque = new(1, -125);
    private static readonly ScaleRule EighthRpm = new(0.125);
    private static readonly ScaleRule Per20 = new(0.05);
    private static readonly ScaleRule Nox = new(0.05, -200);
    private static readonly ScaleRule Level = new(0.4);
    private static readonly ScaleRule Exhaust = new(0.03125, -273);
    private static readonly ScaleRule ByteCelsius = new(1, -40);
    private static readonly ScaleRule Tenth = new(0.1);
    private static readonly ScaleRule Equivalence = new(0.0000305);
    private static readonly ScaleRule Hundredth = new(0.01);

    public static Scaled SpeedKmh(ushort raw) => Speed.FromWord(raw, acceptSwapped: true);

    public static Scaled PressureHalfKpa(byte raw) => HalfKpa.FromByte(raw);

    public static Scaled TorquePercent(byte raw) => Torque.FromByte(raw);

    public static Scaled Rpm(ushort raw) => EighthRpm.FromWord(raw, acceptSwapped: true);

    public static Scaled FlowPer20(ushort raw) => Per20.FromWord(raw, acceptSwapped: true);

    public static Scaled NoxPpm(ushort raw) => Nox.FromWord(raw, acceptSwapped: true);

    public static Scaled LevelPercent(byte raw) => Level.FromByte(raw);

    public static Scaled ExhaustTemperatureC(ushort raw) => Exhaust.FromWord(raw, acceptSwapped: true);

    public static Scaled TemperatureByteC(byte raw) => ByteCelsius.FromByte(raw);

    public static Scaled TenthKpa(ushort raw) => Tenth.FromWord(raw, acceptSwapped: true);

    public static Scaled OdometerKm(uint raw) => Tenth.FromDWord(raw);

    public static Scaled EquivalenceRatio(ushort raw) => Equivalence.FromWord(raw, acceptSwapped: true);

    public static Scaled HundredthVolt(byte raw) => Hundredth.FromByte(raw);
}
