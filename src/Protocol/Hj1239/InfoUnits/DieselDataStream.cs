using System.Diagnostics.CodeAnalysis;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239.InfoUnits;

/// <summary>
/// Info type 0x02, the compression-ignition (diesel) data stream: 37 bytes of J1939-scaled engine, after-treatment
/// and position values. GB 17691-2018 Annex Q table Q.7 / HJ 1239.2 "数据流信息". [C: terminal encoders and real
/// frames agree on every scaling]
/// </summary>
public sealed class DieselDataStream : Hj1239InfoUnit
{
    public const byte TypeCode = 0x02;

    public const int Length = 37;

    public override byte InfoType => TypeCode;

    public override int EncodedLength => Length;

    /// <summary>Vehicle speed, 1/256 km/h.</summary>
    public ushort VehicleSpeedRaw { get; init; }

    /// <summary>Barometric pressure, 0.5 kPa.</summary>
    public byte BarometricPressureRaw { get; init; }

    /// <summary>Engine net (actual) output torque, 1 % with offset -125.</summary>
    public byte EngineNetTorqueRaw { get; init; }

    /// <summary>Friction torque, 1 % with offset -125.</summary>
    public byte FrictionTorqueRaw { get; init; }

    /// <summary>Engine speed, 0.125 rpm.</summary>
    public ushort EngineSpeedRaw { get; init; }

    /// <summary>Engine fuel flow, 0.05 L/h.</summary>
    public ushort FuelFlowRaw { get; init; }

    /// <summary>SCR upstream NOx sensor, 0.05 ppm with offset -200.</summary>
    public ushort ScrUpstreamNoxRaw { get; init; }

    /// <summary>SCR downstream NOx sensor, 0.05 ppm with offset -200.</summary>
    public ushort ScrDownstreamNoxRaw { get; init; }

    /// <summary>Reagent (urea) remaining, 0.4 %.</summary>
    public byte ReagentRemainingRaw { get; init; }

    /// <summary>Intake air flow, 0.05 kg/h.</summary>
    public ushort IntakeAirFlowRaw { get; init; }

    /// <summary>SCR inlet temperature, 0.03125 °C with offset -273.</summary>
    public ushort ScrInletTemperatureRaw { get; init; }

    /// <summary>SCR outlet temperature, 0.03125 °C with offset -273.</summary>
    public ushort ScrOutletTemperatureRaw { get; init; }

    /// <summary>DPF differential pressure, 0.1 kPa.</summary>
    public ushort DpfDifferentialPressureRaw { get; init; }

    /// <summary>Engine coolant temperature, 1 °C with offset -40.</summary>
    public byte CoolantTemperatureRaw { get; init; }

    /// <summary>Fuel tank level, 0.4 %.</summary>
    public byte FuelLevelRaw { get; init; }

    public GnssPosition Position { get; init; }

    /// <summary>Accumulated odometer, 0.1 km.</summary>
    public uint OdometerRaw { get; init; }

    public Scaled VehicleSpeedKmh => EngineScaling.SpeedKmh(VehicleSpeedRaw);

    public Scaled BarometricPressureKpa => EngineScaling.PressureHalfKpa(BarometricPressureRaw);

    public Scaled EngineNetTorquePercent => EngineScaling.TorquePercent(EngineNetTorqueRaw);

    public Scaled FrictionTorquePercent => EngineScaling.TorquePercent(FrictionTorqueRaw);

    public Scaled EngineSpeedRpm => EngineScaling.Rpm(EngineSpeedRaw);

    public Scaled FuelFlowLph => EngineScaling.FlowPer20(FuelFlowRaw);

    public Scaled ScrUpstreamNoxPpm => EngineScaling.NoxPpm(ScrUpstreamNoxRaw);

    public Scaled ScrDownstreamNoxPpm => EngineScaling.NoxPpm(ScrDownstreamNoxRaw);

    public Scaled ReagentRemainingPercent => EngineScaling.LevelPercent(ReagentRemainingRaw);

    public Scaled IntakeAirFlowKgph => EngineScaling.FlowPer20(IntakeAirFlowRaw);

    public Scaled ScrInletTemperatureC => EngineScaling.ExhaustTemperatureC(ScrInletTemperatureRaw);

    public Scaled ScrOutletTemperatureC => EngineScaling.ExhaustTemperatureC(ScrOutletTemperatureRaw);

    public Scaled DpfDifferentialPressureKpa => EngineScaling.TenthKpa(DpfDifferentialPressureRaw);

    public Scaled CoolantTemperatureC => EngineScaling.TemperatureByteC(CoolantTemperatureRaw);

    public Scaled FuelLevelPercent => EngineScaling.LevelPercent(FuelLevelRaw);

    public Scaled OdometerKm => EngineScaling.OdometerKm(OdometerRaw);

    public static bool TryRead(ReadOnlySpan<byte> body, [NotNullWhen(true)] out DieselDataStream? value)
    {
        if (body.Length != Length)
        {
            value = null;
            return false;
        }
        var r = new BodyReader(body);
        value = new DieselDataStream
        {
            VehicleSpeedRaw = r.Word(),
            BarometricPressureRaw = r.Byte(),
            EngineNetTorqueRaw = r.Byte(),
            FrictionTorqueRaw = r.Byte(),
            EngineSpeedRaw = r.Word(),
            FuelFlowRaw = r.Word(),
            ScrUpstreamNoxRaw = r.Word(),
            ScrDownstreamNoxRaw = r.Word(),
            ReagentRemainingRaw = r.Byte(),
            IntakeAirFlowRaw = r.Word(),
            ScrInletTemperatureRaw = r.Word(),
            ScrOutletTemperatureRaw = r.Word(),
            DpfDifferentialPressureRaw = r.Word(),
            CoolantTemperatureRaw = r.Byte(),
            FuelLevelRaw = r.Byte(),
            Position = r.Gnss(),
            OdometerRaw = r.DWord(),
        };
        return true;
    }

    public override void Write(Span<byte> destination)
    {
        var w = new BodyWriter(destination[..Length]);
        w.Word(VehicleSpeedRaw);
        w.Byte(BarometricPressureRaw);
        w.Byte(EngineNetTorqueRaw);
        w.Byte(FrictionTorqueRaw);
        w.Word(EngineSpeedRaw);
        w.Word(FuelFlowRaw);
        w.Word(ScrUpstreamNoxRaw);
        w.Word(ScrDownstreamNoxRaw);
        w.Byte(ReagentRemainingRaw);
        w.Word(IntakeAirFlowRaw);
        w.Word(ScrInletTemperatureRaw);
        w.Word(ScrOutletTemperatureRaw);
        w.Word(DpfDifferentialPressureRaw);
        w.Byte(CoolantTemperatureRaw);
        w.Byte(FuelLevelRaw);
        w.Gnss(Position);
        w.DWord(OdometerRaw);
    }
}
