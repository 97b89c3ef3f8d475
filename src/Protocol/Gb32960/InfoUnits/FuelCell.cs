using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.InfoUnits;

/// <summary>
/// 0x03 fuel cell (2016 §7.2.3.3 table 12): voltage, current, consumption rate, P probe temperatures, hydrogen
/// maxima with their probe/sensor codes, high-voltage DC/DC state; 8 + P + 10 bytes. The 2025 layout of 0x03 is not
/// known here, so 2025 frames keep it raw (see <see cref="Bodies.RealtimeReport.UnknownTail"/>).
/// </summary>
public sealed class FuelCell : Gb32960InfoUnit
{
    public const byte TypeCode = 0x03;

    /// <summary>Raw fuel-cell voltage, 0.1 V.</summary>
    public ushort VoltageRaw { get; init; }

    /// <summary>Raw fuel-cell current, 0.1 A (no offset).</summary>
    public ushort CurrentRaw { get; init; }

    /// <summary>Raw fuel consumption rate, 0.01 kg/100 km.</summary>
    public ushort FuelConsumptionRaw { get; init; }

    /// <summary>Raw probe temperatures, 1 °C each, offset -40; the probe count is their number.</summary>
    public ReadOnlyMemory<byte> ProbeTemperaturesRaw { get; init; }

    /// <summary>Raw hydrogen-system maximum temperature, 0.1 °C, offset -40 °C.</summary>
    public ushort HydrogenMaxTemperatureRaw { get; init; }

    public byte HydrogenMaxTemperatureProbe { get; init; }

    /// <summary>Raw maximum hydrogen concentration, 1 ppm (mg/kg).</summary>
    public ushort HydrogenMaxConcentrationRaw { get; init; }

    public byte HydrogenMaxConcentrationSensor { get; init; }

    /// <summary>Raw maximum hydrogen pressure, 0.1 MPa.</summary>
    public ushort HydrogenMaxPressureRaw { get; init; }

    public byte HydrogenMaxPressureSensor { get; init; }

    public DcDcState HighVoltageDcDcState { get; init; }

    public Scaled VoltageV => Scaled.FromWord(VoltageRaw, 0.1);

    public Scaled CurrentA => Scaled.FromWord(CurrentRaw, 0.1);

    public Scaled FuelConsumptionKgPer100Km => Scaled.FromWord(FuelConsumptionRaw, 0.01);

    public int ProbeCount => ProbeTemperaturesRaw.Length;

    public Scaled ProbeTemperatureC(int index) => Scaled.FromByte(ProbeTemperaturesRaw.Span[index], 1, -40);

    public Scaled HydrogenMaxTemperatureC => Scaled.FromWord(HydrogenMaxTemperatureRaw, 0.1, -40);

    public Scaled HydrogenMaxConcentrationPpm => Scaled.FromWord(HydrogenMaxConcentrationRaw);

    public Scaled HydrogenMaxPressureMpa => Scaled.FromWord(HydrogenMaxPressureRaw, 0.1);

    public override byte Type => TypeCode;

    public override Gb32960InfoKind Kind => Gb32960InfoKind.FuelCell;

    public override int BodyLength => 8 + ProbeTemperaturesRaw.Length + 10;

    internal static int Measure(ReadOnlySpan<byte> rest)
    {
        if (rest.Length < 8)
        {
            return -1;
        }
        int size = 8 + (rest[6] << 8 | rest[7]) + 10;
        return rest.Length >= size ? size : -1;
    }

    internal static FuelCell Read(ReadOnlyMemory<byte> body)
    {
        var r = new SpanReader(body.Span);
        r.TryReadUInt16(out ushort voltage);
        r.TryReadUInt16(out ushort current);
        r.TryReadUInt16(out ushort consumption);
        r.TryReadUInt16(out ushort probes);
        var temperatures = body.Slice(r.Position, probes);
        r.TrySkip(probes);
        r.TryReadUInt16(out ushort maxTemperature);
        r.TryReadByte(out byte maxTemperatureProbe);
        r.TryReadUInt16(out ushort concentration);
        r.TryReadByte(out byte concentrationSensor);
        r.TryReadUInt16(out ushort pressure);
        r.TryReadByte(out byte pressureSensor);
        r.TryReadByte(out byte dcdc);
        return new FuelCell
        {
            VoltageRaw = voltage,
            CurrentRaw = current,
            FuelConsumptionRaw = consumption,
            ProbeTemperaturesRaw = temperatures,
            HydrogenMaxTemperatureRaw = maxTemperature,
            HydrogenMaxTemperatureProbe = maxTemperatureProbe,
            HydrogenMaxConcentrationRaw = concentration,
            HydrogenMaxConcentrationSensor = concentrationSensor,
            HydrogenMaxPressureRaw = pressure,
            HydrogenMaxPressureSensor = pressureSensor,
            HighVoltageDcDcState = (DcDcState)dcdc,
        };
    }

    internal override void WriteBody(ref BigEndianWriter w)
    {
        Check.Count(ProbeTemperaturesRaw.Length, ushort.MaxValue, nameof(ProbeTemperaturesRaw));
        w.UInt16(VoltageRaw);
        w.UInt16(CurrentRaw);
        w.UInt16(FuelConsumptionRaw);
        w.UInt16((ushort)ProbeTemperaturesRaw.Length);
        w.Bytes(ProbeTemperaturesRaw.Span);
        w.UInt16(HydrogenMaxTemperatureRaw);
        w.Byte(HydrogenMaxTemperatureProbe);
        w.UInt16(HydrogenMaxConcentrationRaw);
        w.Byte(HydrogenMaxConcentrationSensor);
        w.UInt16(HydrogenMaxPressureRaw);
        w.Byte(HydrogenMaxPressureSensor);
        w.Byte((byte)HighVoltageDcDcState);
    }
}
