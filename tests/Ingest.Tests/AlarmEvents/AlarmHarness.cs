using System.Buffers.Binary;
using Ingest.AlarmEvents;
using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;
using Ingest.Records;
using Ingest.Sinks.ClickHouse.Schema;
using Ingest.Spool;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Ingest.Tests.AlarmEvents;

/// <summary>
/// The alarm pipeline on a real file spool: detector, outbox and deliveries to a real ClickHouse database, a real
/// Redis stream and a real local webhook receiver. Stop and start it again to restart the detector.
/// </summary>
public sealed class AlarmHarness : IAsyncDisposable
{
    public const string Secret = "test-secret-0123456789";
    public const int HjPort = 12390;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "alarms-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly ITestOutputHelper _output;
    private readonly TestMeterFactory _meters = new();
    private FileSpool? _spool;
    private AlarmOutbox? _outbox;
    private AlarmDetectorService? _detector;
    private AlarmDeliveryService? _deliveries;
    private bool _running;

    private AlarmHarness(ITestOutputHelper output, ClickHouseTestDatabase clickHouse, RedisTestStore redis, WebhookReceiver receiver, AlarmOptions options)
    {
        _output = output;
        ClickHouse = clickHouse;
        Redis = redis;
        Receiver = receiver;
        Options = options;
    }

    public ClickHouseTestDatabase ClickHouse { get; }

    public RedisTestStore Redis { get; }

    public WebhookReceiver Receiver { get; }

    public AlarmOptions Options { get; }

    public RecentAlarms Recent { get; } = new(100);

    public AlarmDetectorService Detector => _detector!;

    public AlarmDeliveryService Deliveries => _deliveries!;

    public string StreamKey => AlarmServiceCollectionExtensions.StreamKey(Redis.Options.KeyPrefix, Options);

    public string SpoolFolder => Path.Combine(_folder, "spool");

    public static async Task<AlarmHarness> CreateAsync(ITestOutputHelper output, Action<AlarmOptions>? configure = null, bool receiverUp = true)
    {
        var receiver = new WebhookReceiver(Secret);
        var options = new AlarmOptions
        {
            Enabled = true,
            SilenceTimeout = TimeSpan.Zero,
            SnapshotInterval = TimeSpan.FromMilliseconds(100),
            MinRetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(300),
            Webhooks = [new AlarmWebhookOptions { Name = "test", Url = receiver.Url, Secret = Secret, Timeout = TimeSpan.FromSeconds(5) }],
        };
        configure?.Invoke(options);
        Assert.True(new AlarmOptionsValidator().Validate(null, options).Succeeded);
        var harness = new AlarmHarness(output, await ClickHouseTestDatabase.CreateAsync(), await RedisTestStore.CreateAsync(), receiver, options);
        if (receiverUp)
        {
            await receiver.StartAsync();
        }
        await harness.StartAsync();
        return harness;
    }

    /// <summary>Opens the spool and the outbox and starts the detector and the deliveries; returns once the detector has its state.</summary>
    public async Task StartAsync()
    {
        // As the ClickHouse sink does at its start; the delivery's own check then finds the table there.
        await new ClickHouseSchema(ClickHouse.Database).EnsureAsync(CancellationToken.None);
        _spool = FileSpool.Open(new SpoolOptions { Directory = SpoolFolder, SegmentBytes = 1024 * 1024, DiskBudgetBytes = 64L * 1024 * 1024 });
        var directory = Options.ResolveDirectory(SpoolFolder);
        _outbox = AlarmOutbox.Open(directory, Options.OutboxBudgetBytes, AlarmDeliveryService.ConsumerNames(Options, true, true), null, null, null);
        var metrics = new AlarmMetrics(_meters);
        _detector = new AlarmDetectorService(_spool, _outbox, new AlarmDetector(Options, "node1", [new ListenerOptions { Port = HjPort }]),
            Recent, metrics, Options, directory, new TestOutputLogger<AlarmDetectorService>(_output));
        var redis = Redis.Store;
        List<AlarmDelivery> deliveries =
        [
            new ClickHouseAlarmDelivery(ClickHouse.Database, metrics, TimeProvider.System),
            new RedisAlarmDelivery(() => redis.Database, StreamKey, Options.RedisStreamMaxLength, metrics, TimeProvider.System),
            .. Options.Webhooks.Select(w => new WebhookDelivery(w, metrics, TimeProvider.System, NullLogger.Instance)),
        ];
        _deliveries = new AlarmDeliveryService(_outbox, deliveries, Options, directory, new TestOutputLogger<AlarmDeliveryService>(_output),
            TimeProvider.System, null);
        await _detector.StartAsync(CancellationToken.None);
        await _deliveries.StartAsync(CancellationToken.None);
        _running = true;
        await Eventually.TrueAsync(() => _detector.State is SpoolConsumerState.CaughtUp or SpoolConsumerState.Running, "the detector has loaded its state");
    }

    public async Task StopAsync()
    {
        _running = false;
        await _detector!.StopAsync(CancellationToken.None);
        await _deliveries!.StopAsync(CancellationToken.None);
        await _outbox!.DisposeAsync();
        await _spool!.DisposeAsync();
        _detector.Dispose();
        _deliveries.Dispose();
    }

    /// <summary>Appends one frame as the session would after receiving it now; returns its spool offset.</summary>
    public async Task<long> AppendAsync(byte[] frame, ListenerProtocol protocol = ListenerProtocol.Gb32960, int port = 32960)
    {
        var payload = new byte[FrameEnvelope.SizeFor(frame.Length)];
        FrameEnvelope.WriteHeader(payload, protocol, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1, port);
        frame.CopyTo(payload, FrameEnvelope.HeaderSize);
        var result = await _spool!.AppendAsync(payload, CancellationToken.None);
        Assert.Equal(SpoolAppendStatus.Committed, result.Status);
        return result.Offset;
    }

    public Task<long> AppendHjAsync(string vin, byte mil, params uint[] dtcs) =>
        AppendAsync(HjObdFrame(vin, mil, dtcs), ListenerProtocol.Hj1239, HjPort);

    /// <summary>A GB/T 32960 (2016) realtime report with only an alarm unit: highest level and general flags.</summary>
    public static byte[] GbAlarmFrame(string vin, byte level, uint flags)
    {
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        var data = new byte[6 + 1 + 1 + 4 + 4];
        data[0] = (byte)(now.Year - 2000);
        data[1] = (byte)now.Month;
        data[2] = (byte)now.Day;
        data[3] = (byte)now.Hour;
        data[4] = (byte)now.Minute;
        data[5] = (byte)now.Second;
        data[6] = 0x07; // alarm data (2016 table 2)
        data[7] = level;
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(8), flags);
        // four empty fault-code lists
        return Frames.Gb(0x02, vin, data);
    }

    /// <summary>An HJ 1239 realtime report with one OBD item: MIL and the DTC list.</summary>
    public static byte[] HjObdFrame(string vin, byte mil, uint[] dtcs)
    {
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        var time = new GbTime((byte)(now.Year - 2000), (byte)now.Month, (byte)now.Day, (byte)now.Hour, (byte)now.Minute, (byte)now.Second);
        var obd = new ObdInfo
        {
            ProtocolRaw = 2,
            MilRaw = mil,
            Vin = Vin.Parse(vin),
            DtcCountRaw = (byte)dtcs.Length,
            Dtcs = dtcs,
        };
        return Hj1239Encoder.Encode(Hj1239Frame.Create(Hj1239Command.Realtime, Vin.Parse(vin), 0x06, Hj1239Layout.Hj1239,
            new Hj1239DataBody(false, time, 1, [Hj1239InfoItem.Hj1239(time, obd)])));
    }

    /// <summary>Rows of alarm_events as queries see them (FINAL: one row per event).</summary>
    public Task<List<System.Text.Json.JsonElement>> StoredEventsAsync() =>
        ClickHouse.QueryJsonAsync($"SELECT event_id, vin, kind, code, detail, ended_at, version FROM {ClickHouse.Database.Qualified("alarm_events")} FINAL ORDER BY event_id");

    public async Task<long> StreamLengthAsync() => await Redis.Raw.GetDatabase().StreamLengthAsync(StreamKey);

    public async ValueTask DisposeAsync()
    {
        if (_running)
        {
            await StopAsync();
        }
        await Receiver.DisposeAsync();
        await ClickHouse.DisposeAsync();
        await Redis.DisposeAsync();
        _meters.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder
        }
    }
}
