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
    public static Scaled SpeedKmh(ushort raw) => Scaled.FromWord(raw, 1.0 / 256, acceptSwapped: true);

    public static Scaled PressureHalfKpa(byte raw) => Scaled.FromByte(raw, 0.5);

    public static Scaled TorquePercent(byte raw) => Scaled.FromByte(raw, 1, -125);

    public static Scaled Rpm(ushort raw) => Scaled.FromWord(raw, 0.125, acceptSwapped: true);

    public static Scaled FlowPer20(ushort raw) => Scaled.FromWord(raw, 0.05, acceptSwapped: true);

    public static Scaled NoxPpm(ushort raw) => Scaled.FromWord(raw, 0.05, -200, acceptSwapped: true);

    public static Scaled LevelPercent(byte raw) => Scaled.FromByte(raw, 0.4);

    public static Scaled ExhaustTemperatureC(ushort raw) => Scaled.FromWord(raw, 0.03125, -273, acceptSwapped: true);

    public static Scaled TemperatureByteC(byte raw) => Scaled.FromByte(raw, 1, -40);

    public static Scaled TenthKpa(ushort raw) => Scaled.FromWord(raw, 0.1, acceptSwapped: true);

    public static Scaled OdometerKm(uint raw) => Scaled.FromDWord(raw, 0.1);

    public static Scaled EquivalenceRatio(ushort raw) => Scaled.FromWord(raw, 0.0000305, acceptSwapped: true);

    public static Scaled HundredthVolt(byte raw) => Scaled.FromByte(raw, 0.01);
}
