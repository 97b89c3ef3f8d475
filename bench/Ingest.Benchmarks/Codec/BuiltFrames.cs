using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Benchmarks.Codec;

/// <summary>
/// Frames built with the product encoders from realistic values, for the sizes the issue names but no captured
/// vector has: a 184-cell EV realtime frame and an HJ 1239 frame with ten diesel samples.
/// </summary>
public static class BuiltFrames
{
    /// <summary>Bytes of <see cref="Gb2016Cells184"/>: 24 header + 533 data unit + 1 check byte.</summary>
    public const int Gb2016Cells184Length = 558;

    /// <summary>Bytes of <see cref="Hj1239Diesel10"/>: 24 header + 8 + 10 × 44 items + 66 signature + 1.</summary>
    public const int Hj1239Diesel10Length = 539;

    private const int CellCount = 184;
    private const int ProbeCount = 64;
    private static readonly GbTime SampleTime = new(25, 10, 11, 19, 8, 18);

    /// <summary>
    /// GB/T 32960.3-2016 realtime report of a pure EV in motion: whole-vehicle data, one drive motor, location,
    /// extremes, alarms with two OEM fault codes, one 184-cell pack (all cells in this frame) and 64 probe
    /// temperatures. Laid out in the order terminals send them.
    /// </summary>
    public static byte[] Gb2016Cells184()
    {
        var report = new RealtimeReport
        {
            Edition = Gb32960Edition.V2016,
            Time = SampleTime,
            Items =
            [
                new VehicleData
                {
                    Edition = Gb32960Edition.V2016,
                    VehicleState = VehicleState.Started,
                    ChargingState = ChargingState.NotCharging,
                    RunningMode = RunningMode.Electric,
                    SpeedRaw = 523, // 52.3 km/h
                    OdometerRaw = 1_234_567, // 123 456.7 km
                    TotalVoltageRaw = 6624, // 662.4 V = 184 × 3.6 V
                    TotalCurrentRaw = 10_250, // +25.0 A discharge (offset -1000 A)
                    SocRaw = 78,
                    DcDcState = DcDcState.Working,
                    GearRaw = 0x2E, // drive, driving force
                    InsulationResistanceRaw = 5000, // kΩ
                    AcceleratorPedalRaw = 23,
                    BrakePedalRaw = 0,
                },
                new DriveMotors
                {
                    Edition = Gb32960Edition.V2016,
                    Motors =
                    [
                        new DriveMotor
                        {
                            Edition = Gb32960Edition.V2016,
                            Number = 1,
                            State = MotorState.Consuming,
                            ControllerTemperatureRaw = 85, // 45 °C
                            SpeedRaw = 24_200, // 4200 rpm
                            TorqueRaw = 21_800, // 180.0 N·m
                            MotorTemperatureRaw = 100, // 60 °C
                            ControllerInputVoltageRaw = 6620,
                            ControllerDcBusCurrentRaw = 10_240,
                        },
                    ],
                },
                new Location { Edition = Gb32960Edition.V2016, StatusRaw = 0, LongitudeRaw = 121_473_701, LatitudeRaw = 31_230_416 },
                new Extremes
                {
                    MaxVoltageSubsystem = 1, MaxVoltageCell = 57, MaxCellVoltageRaw = 3612,
                    MinVoltageSubsystem = 1, MinVoltageCell = 133, MinCellVoltageRaw = 3589,
                    MaxTemperatureSubsystem = 1, MaxTemperatureProbe = 12, MaxTemperatureRaw = 73,
                    MinTemperatureSubsystem = 1, MinTemperatureProbe = 50, MinTemperatureRaw = 68,
                },
                new Alarms
                {
                    Edition = Gb32960Edition.V2016,
                    MaxLevel = 1,
                    GeneralFlags = Gb32960GeneralAlarms.CellConsistencyPoor,
                    EnergyStorageFaults = [0x0001_0023],
                    OtherFaults = [0x0A00_0001],
                },
                new CellVoltages
                {
                    Edition = Gb32960Edition.V2016,
                    Packs =
                    [
                        new CellVoltagePack
                        {
                            Edition = Gb32960Edition.V2016,
                            Number = 1,
                            VoltageRaw = 6624,
                            CurrentRaw = 10_250,
                            TotalCellCount = CellCount,
                            StartIndex = 1,
                            CellVoltagesRaw = Spread(CellCount, low: 3589, high: 3612),
                        },
                    ],
                },
                new ProbeTemperatures
                {
                    Edition = Gb32960Edition.V2016,
                    Packs = [new ProbeTemperaturePack { Number = 1, TemperaturesRaw = Spread(ProbeCount, low: 68, high: 73).Select(t => (byte)t).ToArray() }],
                },
            ],
        };
        var frame = Gb32960Frame.Create(Gb32960Edition.V2016, Gb32960Command.RealtimeReport, Gb32960ResponseFlags.Command,
            Vin.Parse("LNBSCB3F5KR123456"), report);
        return Gb32960Encoder.Encode(frame);
    }

    /// <summary>
    /// HJ 1239.2 layout realtime report of a diesel truck: one frame per 10 s carrying ten 1 Hz data-stream samples
    /// (type 0x02, each with its own collection time), signed with an SM2-sized signature (32-byte R and S).
    /// </summary>
    public static byte[] Hj1239Diesel10()
    {
        var items = new List<Hj1239InfoItem>();
        for (byte i = 0; i < 10; i++)
        {
            var sample = new DieselDataStream
            {
                VehicleSpeedRaw = (ushort)((62 + i) * 256), // km/h in 1/256
                BarometricPressureRaw = 200, // 100 kPa
                EngineNetTorqueRaw = (byte)(125 + 48 + i), // 48 %
                FrictionTorqueRaw = 125 + 6,
                EngineSpeedRaw = (ushort)((1350 + 10 * i) * 8), // rpm in 0.125
                FuelFlowRaw = (ushort)(380 + i), // 19 L/h in 0.05
                ScrUpstreamNoxRaw = (ushort)((200 + 450) * 20), // 450 ppm
                ScrDownstreamNoxRaw = (ushort)((200 + 35) * 20), // 35 ppm
                ReagentRemainingRaw = 180, // 72 %
                IntakeAirFlowRaw = (ushort)(9000 + 20 * i), // 450 kg/h
                ScrInletTemperatureRaw = (ushort)((273 + 320) * 32),
                ScrOutletTemperatureRaw = (ushort)((273 + 300) * 32),
                DpfDifferentialPressureRaw = 42, // 4.2 kPa
                CoolantTemperatureRaw = 40 + 86,
                FuelLevelRaw = 150, // 60 %
                Position = new GnssPosition(0, 116_397_128 + 120u * i, 39_916_527 + 80u * i),
                OdometerRaw = 3_456_789u + i,
            };
            items.Add(Hj1239InfoItem.Hj1239(SampleTime with { Second = (byte)(i * 5 % 60) }, sample));
        }
        var signature = new Hj1239Signature(Filler(32, seed: 0x5A), Filler(32, seed: 0xA5));
        var body = new Hj1239DataBody(isReissue: false, SampleTime with { Second = 50 }, serial: 4711, items, signature);
        var frame = Hj1239Frame.Create(Hj1239Command.Realtime, Vin.Parse("LFWSRXRJ0M1A12345"), softwareVersion: 0x01,
            Hj1239Layout.Hj1239, body);
        return Hj1239Encoder.Encode(frame);
    }

    /// <summary>Deterministic values between <paramref name="low"/> and <paramref name="high"/> (a healthy pack's spread).</summary>
    private static ushort[] Spread(int count, int low, int high)
    {
        var values = new ushort[count];
        uint state = 2463534242;
        for (int i = 0; i < count; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            values[i] = (ushort)(low + state % (uint)(high - low + 1));
        }
        return values;
    }

    private static byte[] Filler(int count, byte seed)
    {
        var bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            bytes[i] = (byte)(seed + 37 * i);
        }
        return bytes;
    }
}
