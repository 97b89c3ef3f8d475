using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;
using Ingest.Records;
using Ingest.Registry;
using Ingest.Quality;
using Ingest.Sinks.ClickHouse;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Sinks.ClickHouse;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Quality;

/// <summary>
/// A day of a small fleet with known gaps and known bad values, encoded with the protocol encoders, wrapped as the
/// session wraps frames, and stored by the real ClickHouse sink and projector into a test database. The expected
/// figures are worked out by hand in the comments of <see cref="ExpectedGb2"/> and <see cref="ExpectedHj"/>.
/// </summary>
public sealed class QualityFleet : IAsyncLifetime
{
    /// <summary>The report day (Beijing) and its 08:00, where every vehicle's timeline starts.</summary>
    public static readonly DateOnly Day = new(2026, 12, 5);
    public static readonly DateTimeOffset T0 = new(2026, 12, 5, 8, 0, 0, TimeSpan.FromHours(8));

    public const string Gb1 = "LQUALGB0000000001"; // clean: 20 samples every 30 s
    public const string Gb2 = "LQUALGB0000000002"; // gaps, a level-3 alarm, every bad value
    public const string Gb3 = "LQUALGB0000000003"; // filed, silent all day
    public const string Hj1 = "LQUALHJ0000000001"; // HJ 1239: 1 Hz items, three missing, two bad
    public const string Unfiled = "LQUALXX0000000009"; // reports without a filing: one clean frame

    /// <summary>Cells of every GB frame: 100 × 3.600 V = 360 V, the total voltage the frames report.</summary>
    private const int Cells = 100;
    private const ushort CellRaw = 3600;

    private readonly List<byte[]> _payloads = [];
    private string? _registryFile;

    public ClickHouseTestDatabase Database { get; private set; } = null!;

    public VehicleRegistry Registry { get; private set; } = null!;

    public string RegistryFile => _registryFile!;

    public static VehicleDayQuality ExpectedGb1 => new()
    {
        Day = Day, Vin = Gb1, Protocol = "gb32960",
        Frames = 20, RealtimeFrames = 20, Samples = 20, RunningSamples = 20,
    };

    /// <summary>
    /// Samples at 0, 30, 60, 120 (reissued), 150, 180 (level-3 alarm), 183 (alarm), 184, 214, 300 (off), 1000 (off),
    /// 1030, 1060, 1090: 14 samples, 12 running. Gaps between running samples: 60→120 is 60 s at 30 s (1 missing);
    /// 180→183 is 3 s at the alarm's 1 s (2 missing); 214→300 ends off, 300→1030 starts off: not counted.
    /// Failures: soc @30, range @60 (speed 250 km/h), cell_sum @150 (300 V against 360 V of cells), odometer @180,
    /// position @184 (no fix) and @214 (outside China), clock_skew @1060 (received 900 s later, also late), future
    /// @1090 (stamped 120 s after it was received): 8 failed samples. Frames: a login, 14 realtime (the one at 0 sent
    /// twice), 1 reissue.
    /// </summary>
    public static VehicleDayQuality ExpectedGb2 => new()
    {
        Day = Day, Vin = Gb2, Protocol = "gb32960",
        Frames = 16, RealtimeFrames = 14, ReissueFrames = 1, LateFrames = 1,
        Samples = 14, RunningSamples = 12, Gaps = 2, MissingSamples = 3, LongestGapSeconds = 60,
        FailedSamples = 8, FailRange = 1, FailSoc = 1, FailCellSum = 1, FailOdometer = 1, FailPosition = 2, FailClockSkew = 1, FailFuture = 1,
    };

    /// <summary>
    /// Three frames of 1 Hz diesel items: seconds 0-9, 10-19, then 20-24 and 28-29 (25-27 missing: one gap of 4 s,
    /// 3 missing). 27 samples, all running; coolant 211 °C at second 5 (range), a fix outside China at second 15.
    /// </summary>
    public static VehicleDayQuality ExpectedHj => new()
    {
        Day = Day, Vin = Hj1, Protocol = "hj1239",
        Frames = 3, RealtimeFrames = 3, Samples = 27, RunningSamples = 27, Gaps = 1, MissingSamples = 3, LongestGapSeconds = 4,
        FailedSamples = 2, FailRange = 1, FailPosition = 1,
    };

    public static VehicleDayQuality ExpectedUnfiled => new()
    {
        Day = Day, Vin = Unfiled, Protocol = "gb32960", Frames = 1, RealtimeFrames = 1, Samples = 1, RunningSamples = 1,
    };

    public async Task InitializeAsync()
    {
        BuildGbClean();
        BuildGbFaulty();
        BuildHj();
        Add(Gb(Unfiled, 0, new Sample()), 1);

        _registryFile = Path.Combine(Path.GetTempPath(), "quality-registry-" + Guid.NewGuid().ToString("N") + ".json");
        Registry = VehicleRegistry.Open(new RegistryFile(_registryFile));
        await Registry.UpsertAsync(
        [
            new VehicleFiling(Gb1, "oem-a", Model: "EV-1"),
            new VehicleFiling(Gb2, "oem-a", Model: "EV-1"),
            new VehicleFiling(Gb3, "oem-a", Model: "EV-2"),
            new VehicleFiling(Hj1, "oem-b", Model: "HD-1"),
        ]);

        // A day of queries on a machine that may be busy building: a generous request timeout.
        Database = await ClickHouseTestDatabase.CreateAsync(configure: o => o.RequestTimeout = TimeSpan.FromMinutes(1));
        var spool = new InMemorySpool();
        foreach (var payload in _payloads)
        {
            await spool.AppendAsync(payload, CancellationToken.None);
        }
        using var meters = new TestMeterFactory();
        var projector = new ClickHouseRowProjector(Options.Create(new IngestOptions { NodeName = "n1" }));
        var sink = ClickHouseSinkTests.NewSink(Database, spool, projector, meters);
        await sink.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => spool.CommittedOffset(ClickHouseSink.ConsumerName) == _payloads.Count,
                $"all {_payloads.Count} frames stored by the sink");
        }
        finally
        {
            await sink.StopAsync(CancellationToken.None);
        }
    }

    public async Task DisposeAsync()
    {
        await Database.DisposeAsync();
        if (_registryFile is not null)
        {
            File.Delete(_registryFile);
        }
    }

    public QualityReports Reports(TimeProvider time, QualityOptions? options = null) =>
        new(new QualityStore(Database.Database, options ?? new QualityOptions()), Options.Create(options ?? new QualityOptions()), time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<QualityReports>.Instance);

    private void BuildGbClean()
    {
        for (int i = 0; i < 20; i++)
        {
            Add(Gb(Gb1, i * 30, new Sample { OdometerRaw = 10_000 + (uint)i }), i * 30 + 1);
        }
    }

    private void BuildGbFaulty()
    {
        Add(Support.Frames.Login(Gb2), 0);
        Add(Gb(Gb2, 0, new Sample { OdometerRaw = 10_000 }), 1);
        Add(Gb(Gb2, 0, new Sample { OdometerRaw = 10_000 }), 5);              // the same sample resent: one sample, two frames
        Add(Gb(Gb2, 30, new Sample { OdometerRaw = 10_001, Soc = 120 }), 31);
        Add(Gb(Gb2, 60, new Sample { OdometerRaw = 10_002, SpeedRaw = 2500 }), 61);
        Add(Gb(Gb2, 150, new Sample { OdometerRaw = 10_005, TotalVoltageRaw = 3000 }), 151);
        Add(Gb(Gb2, 180, new Sample { OdometerRaw = 9_990, AlarmLevel = 3 }), 181);
        Add(Gb(Gb2, 183, new Sample { OdometerRaw = 9_990, AlarmLevel = 3 }), 184);
        Add(Gb(Gb2, 184, new Sample { OdometerRaw = 9_991, LocationStatus = 0x01 }), 185);
        Add(Gb(Gb2, 214, new Sample { OdometerRaw = 9_992, LongitudeRaw = 10_000_000 }), 215);
        Add(Gb(Gb2, 300, new Sample { OdometerRaw = 9_993, State = VehicleState.Off }), 301);
        Add(Gb(Gb2, 1000, new Sample { OdometerRaw = 9_993, State = VehicleState.Off }), 1001);
        Add(Gb(Gb2, 120, new Sample { OdometerRaw = 10_003 }, reissue: true), 1010);  // fills half of the 60→150 gap
        Add(Gb(Gb2, 1030, new Sample { OdometerRaw = 9_994 }), 1031);
        Add(Gb(Gb2, 1060, new Sample { OdometerRaw = 9_995 }), 1960);          // 900 s on the way: skewed and late
        Add(Gb(Gb2, 1090, new Sample { OdometerRaw = 9_996 }), 970);           // stamped 120 s ahead of its receipt
    }

    private void BuildHj()
    {
        int[][] frames = [[.. Enumerable.Range(0, 10)], [.. Enumerable.Range(10, 10)], [20, 21, 22, 23, 24, 28, 29]];
        ushort serial = 1;
        foreach (var seconds in frames)
        {
            var items = seconds.Select(s => Hj1239InfoItem.Hj1239(GbTime.FromDateTimeOffset(T0.AddSeconds(s)), new DieselDataStream
            {
                VehicleSpeedRaw = 40 * 256,
                BarometricPressureRaw = 200,
                EngineNetTorqueRaw = 150,
                FrictionTorqueRaw = 130,
                EngineSpeedRaw = 1200 * 8,
                FuelFlowRaw = 200,
                ScrUpstreamNoxRaw = (500 + 200) * 20,
                ScrDownstreamNoxRaw = (50 + 200) * 20,
                ReagentRemainingRaw = 200,
                IntakeAirFlowRaw = 4000,
                ScrInletTemperatureRaw = (300 + 273) * 32,
                ScrOutletTemperatureRaw = (280 + 273) * 32,
                DpfDifferentialPressureRaw = 50,
                CoolantTemperatureRaw = (byte)(s == 5 ? 251 : 85 + 40),
                FuelLevelRaw = 150,
                Position = new GnssPosition(0, s == 15 ? 10_000_000u : 116_400_000u, 39_900_000u),
                OdometerRaw = 50_000 + (uint)s,
            })).ToList();
            var sent = seconds[^1] + 1;
            var frame = Hj1239Encoder.Encode(Hj1239Frame.Create(Hj1239Command.Realtime, Vin.Parse(Hj1), 1, Hj1239Layout.Hj1239,
                new Hj1239DataBody(false, GbTime.FromDateTimeOffset(T0.AddSeconds(sent)), serial++, items)));
            Add(frame, sent + 1, ListenerProtocol.Hj1239);
        }
    }

    private void Add(byte[] frame, int receivedSecond, ListenerProtocol protocol = ListenerProtocol.Gb32960)
    {
        var payload = new byte[FrameEnvelope.SizeFor(frame.Length)];
        FrameEnvelope.WriteHeader(payload, protocol, T0.AddSeconds(receivedSecond).ToUnixTimeMilliseconds(), 7, 32960);
        frame.CopyTo(payload, FrameEnvelope.HeaderSize);
        _payloads.Add(payload);
    }

    /// <summary>A GB/T 32960-2016 realtime (or reissue) frame at second <paramref name="second"/> of the timeline.</summary>
    private static byte[] Gb(string vin, int second, Sample s, bool reissue = false)
    {
        const Gb32960Edition edition = Gb32960Edition.V2016;
        var body = new RealtimeReport
        {
            Edition = edition,
            IsReissue = reissue,
            Time = GbTime.FromDateTimeOffset(T0.AddSeconds(second)),
            Items =
            [
                new VehicleData
                {
                    Edition = edition, VehicleState = s.State, ChargingState = ChargingState.NotCharging, RunningMode = RunningMode.Electric,
                    SpeedRaw = s.SpeedRaw, OdometerRaw = s.OdometerRaw, TotalVoltageRaw = s.TotalVoltageRaw, TotalCurrentRaw = 10_500,
                    SocRaw = s.Soc, DcDcState = DcDcState.Working, GearRaw = 0x2E, InsulationResistanceRaw = 5_000,
                    AcceleratorPedalRaw = 15, BrakePedalRaw = 0,
                },
                new Location { Edition = edition, StatusRaw = s.LocationStatus, LongitudeRaw = s.LongitudeRaw, LatitudeRaw = 39_900_000 },
                new Alarms { Edition = edition, MaxLevel = s.AlarmLevel },
                new CellVoltages
                {
                    Edition = edition,
                    Packs =
                    [
                        new CellVoltagePack
                        {
                            Edition = edition, Number = 1, VoltageRaw = 3600, CurrentRaw = 10_500, TotalCellCount = Cells, StartIndex = 1,
                            CellVoltagesRaw = Enumerable.Repeat(CellRaw, Cells).ToArray(),
                        },
                    ],
                },
            ],
        };
        return Gb32960Encoder.Encode(Gb32960Frame.Create(edition, body.Command, Gb32960ResponseFlags.Command, Vin.Parse(vin), body));
    }

    /// <summary>What varies between GB samples; the defaults are a healthy running vehicle in Beijing.</summary>
    private sealed record Sample
    {
        public VehicleState State { get; init; } = VehicleState.Started;
        public ushort SpeedRaw { get; init; } = 400;
        public uint OdometerRaw { get; init; } = 10_000;
        public ushort TotalVoltageRaw { get; init; } = 3600;
        public byte Soc { get; init; } = 80;
        public byte AlarmLevel { get; init; }
        public byte LocationStatus { get; init; }
        public uint LongitudeRaw { get; init; } = 116_400_000;
    }
}
