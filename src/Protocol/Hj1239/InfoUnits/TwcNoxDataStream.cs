using System.Diagnostics.CodeAnalysis;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239.InfoUnits;

/// <summary>
/// Info type 0x05, the three-way-catalyst data stream with a NOx sensor: 32 bytes, the 0x03 layout with a NOx
/// WORD after the downstream O2 byte. HJ 1239.2 (gas engines with NOx monitoring).
/// [S: HJ terminal code; O2 sensor scalings from the same source, not confirmed by a real frame]
/// </summary>
public sealed class TwcNoxDataStream : Hj1239InfoUnit
{
    public const byte TypeCode = 0x05;

    public const int Length = 32;

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

    /// <summary>Upstream oxygen sensor, equivalence ratio, 0.0000305 per bit.</summary>
    public ushort UpstreamOxygenRaw { get; init; }

    /// <summary>Downstream oxygen sensor, 0.01 V.</summary>
    public byte DownstreamOxygenRaw { get; init; }

    /// <summary>NOx sensor, 0.05 ppm with offset -200.</summary>
    public ushort NoxRaw { get; init; }

    /// <summary>Intake air flow, 0.05 kg/h.</summary>
    public ushort IntakeAirFlowRaw { get; init; }

    /// <summary>Engine coolant temperature, 1 °C with offset -40.</summary>
    public byte CoolantTemperatureRaw { get; init; }

    /// <summary>Three-way catalyst temperature, 0.03125 °C with offset -273.</summary>
    public ushort CatalystTemperatureRaw { get; init; }

    public GnssPosition Position { get; init; }

    /// <summary>Accumulated odometer, 0.1 km.</summary>
    public uint OdometerRaw { get; init; }

    public Scaled VehicleSpeedKmh => EngineScaling.SpeedKmh(VehicleSpeedRaw);

    public Scaled BarometricPressureKpa => EngineScaling.PressureHalfKpa(BarometricPressureRaw);

    public Scaled EngineNetTorquePercent => EngineScaling.TorquePercent(EngineNetTorqueRaw);

    public Scaled FrictionTorquePercent => EngineScaling.TorquePercent(FrictionTorqueRaw);

    public Scaled EngineSpeedRpm => EngineScaling.Rpm(EngineSpeedRaw);

    public Scaled FuelFlowLph => EngineScaling.FlowPer20(FuelFlowRaw);

    /// <summary>Upstream O2 sensor as an equivalence ratio (lambda), dimensionless.</summary>
    public Scaled UpstreamOxygenEquivalenceRatio => EngineScaling.EquivalenceRatio(UpstreamOxygenRaw);

    public Scaled DownstreamOxygenV => EngineScaling.HundredthVolt(DownstreamOxygenRaw);

    public Scaled NoxPpm => EngineScaling.NoxPpm(NoxRaw);

    public Scaled IntakeAirFlowKgph => EngineScaling.FlowPer20(IntakeAirFlowRaw);

    public Scaled CoolantTemperatureC => EngineScaling.TemperatureByteC(CoolantTemperatureRaw);

    public Scaled CatalystTemperatureC => EngineScaling.ExhaustTemperatureC(CatalystTemperatureRaw);

    public Scaled OdometerKm => EngineScaling.OdometerKm(OdometerRaw);

    public static bool TryRead(ReadOnlySpan<byte> body, [NotNullWhen(true)] out TwcNoxDataStream? value)
    {
        if (body.Length != Length)
        {
            value = null;
            return false;
        }
        var r = new BodyReader(body);
        value = new TwcNoxDataStream
        {
            VehicleSpeedRaw = r.Word(),
            BarometricPressureRaw = r.Byte(),
            EngineNetTorqueRaw = r.Byte(),
            FrictionTorqueRaw = r.Byte(),
            EngineSpeedRaw = r.Word(),
            FuelFlowRaw = r.Word(),
            UpstreamOxygenRaw = r.Word(),
            DownstreamOxygenRaw = r.Byte(),
            NoxRaw = r.Word(),
            IntakeAirFlowRaw = r.Word(),
            CoolantTemperatureRaw = r.Byte(),
            CatalystTemperatureRaw = r.Word(),
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
        w.Word(UpstreamOxygenRaw);
        w.Byte(DownstreamOxygenRaw);
        w.Word(NoxRaw);
        w.Word(IntakeAirFlowRaw);
        w.Byte(CoolantTemperatureRaw);
        w.Word(CatalystTemperatureRaw);
        w.Gnss(Position);
        w.DWord(OdometerRaw);
    }
}
