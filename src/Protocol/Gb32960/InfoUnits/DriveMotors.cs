using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.InfoUnits;

/// <summary>
/// 0x02 drive motors (2016 §7.2.3.2 tables 10-11: count + 12 bytes per motor; 2025 §7.2.4.4 tables 15-16: count + 10
/// bytes per motor, speed offset -32000 rpm, torque a DWORD, controller voltage and current dropped).
/// </summary>
public sealed class DriveMotors : Gb32960InfoUnit
{
    public const byte TypeCode = 0x02;
    public const int MotorSize2016 = 12;
    public const int MotorSize2025 = 10;

    public required Gb32960Edition Edition { get; init; }

    public IReadOnlyList<DriveMotor> Motors { get; init; } = [];

    public override byte Type => TypeCode;

    public override Gb32960InfoKind Kind => Gb32960InfoKind.DriveMotors;

    public override int BodyLength => 1 + MotorSize(Edition) * Motors.Count;

    public static int MotorSize(Gb32960Edition edition) => edition == Gb32960Edition.V2025 ? MotorSize2025 : MotorSize2016;

    internal static int Measure(ReadOnlySpan<byte> rest, Gb32960Edition edition)
    {
        if (rest.IsEmpty)
        {
            return -1;
        }
        int size = 1 + rest[0] * MotorSize(edition);
        return rest.Length >= size ? size : -1;
    }

    internal static DriveMotors Read(ReadOnlySpan<byte> body, Gb32960Edition edition)
    {
        var r = new SpanReader(body);
        r.TryReadByte(out byte count);
        var motors = new DriveMotor[count];
        for (int i = 0; i < motors.Length; i++)
        {
            r.TryReadByte(out byte number);
            r.TryReadByte(out byte state);
            r.TryReadByte(out byte controllerTemperature);
            r.TryReadUInt16(out ushort speed);
            uint torque;
            if (edition == Gb32960Edition.V2025)
            {
                r.TryReadUInt32(out torque);
            }
            else
            {
                r.TryReadUInt16(out ushort t);
                torque = t;
            }
            r.TryReadByte(out byte temperature);
            ushort voltage = 0, current = 0;
            if (edition == Gb32960Edition.V2016)
            {
                r.TryReadUInt16(out voltage);
                r.TryReadUInt16(out current);
            }
            motors[i] = new DriveMotor
            {
                Edition = edition,
                Number = number,
                State = (MotorState)state,
                ControllerTemperatureRaw = controllerTemperature,
                SpeedRaw = speed,
                TorqueRaw = torque,
                MotorTemperatureRaw = temperature,
                ControllerInputVoltageRaw = voltage,
                ControllerDcBusCurrentRaw = current,
            };
        }
        return new DriveMotors { Edition = edition, Motors = motors };
    }

    internal override void WriteBody(ref BigEndianWriter w)
    {
        Check.Count(Motors.Count, byte.MaxValue, nameof(Motors));
        w.Byte((byte)Motors.Count);
        foreach (var m in Motors)
        {
            w.Byte(m.Number);
            w.Byte((byte)m.State);
            w.Byte(m.ControllerTemperatureRaw);
            w.UInt16(m.SpeedRaw);
            if (Edition == Gb32960Edition.V2025)
            {
                w.UInt32(m.TorqueRaw);
            }
            else
            {
                w.UInt16((ushort)m.TorqueRaw);
            }
            w.Byte(m.MotorTemperatureRaw);
            if (Edition == Gb32960Edition.V2016)
            {
                w.UInt16(m.ControllerInputVoltageRaw);
                w.UInt16(m.ControllerDcBusCurrentRaw);
            }
        }
    }
}

/// <summary>One drive motor of a 0x02 item.</summary>
public sealed class DriveMotor
{
    public required Gb32960Edition Edition { get; init; }

    /// <summary>Motor sequence number, 1-253.</summary>
    public byte Number { get; init; }

    public MotorState State { get; init; }

    /// <summary>Raw controller temperature, 1 °C, offset -40.</summary>
    public byte ControllerTemperatureRaw { get; init; }

    /// <summary>Raw speed, 1 rpm, offset -20000 (2016) or -32000 (2025).</summary>
    public ushort SpeedRaw { get; init; }

    /// <summary>Raw torque, 0.1 N·m: a WORD with offset -2000 N·m (2016), a DWORD with offset -20000 N·m (2025).</summary>
    public uint TorqueRaw { get; init; }

    /// <summary>Raw motor temperature, 1 °C, offset -40.</summary>
    public byte MotorTemperatureRaw { get; init; }

    /// <summary>2016 only: controller input voltage, 0.1 V.</summary>
    public ushort ControllerInputVoltageRaw { get; init; }

    /// <summary>2016 only: controller DC bus current, 0.1 A, offset -1000 A.</summary>
    public ushort ControllerDcBusCurrentRaw { get; init; }

    public Scaled ControllerTemperatureC => Scaled.FromByte(ControllerTemperatureRaw, 1, -40);

    public Scaled SpeedRpm => Scaled.FromWord(SpeedRaw, 1, Edition == Gb32960Edition.V2025 ? -32000 : -20000);

    public Scaled TorqueNm => Edition == Gb32960Edition.V2025
        ? Scaled.FromDWord(TorqueRaw, 0.1, -20000)
        : Scaled.FromWord((ushort)TorqueRaw, 0.1, -2000);

    public Scaled MotorTemperatureC => Scaled.FromByte(MotorTemperatureRaw, 1, -40);

    public Scaled ControllerInputVoltageV => Scaled.FromWord(ControllerInputVoltageRaw, 0.1);

    public Scaled ControllerDcBusCurrentA => Scaled.FromWord(ControllerDcBusCurrentRaw, 0.1, -1000);
}
