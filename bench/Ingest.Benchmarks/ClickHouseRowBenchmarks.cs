using BenchmarkDotNet.Attributes;
using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Records;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Spool;
using Microsoft.Extensions.Options;

namespace Ingest.Benchmarks;

/// <summary>
/// What the ClickHouse sink spends per spool record: opening the envelope, decoding the frame and encoding its rows as
/// RowBinary. Baseline: encoding the frames_raw row alone (the bytes every record costs whatever it holds).
/// Buffers are cleared every 1,000 records, as the sink does per batch, so their growth is amortised.
/// </summary>
[MemoryDiagnoser]
public class ClickHouseRowBenchmarks
{
    private readonly ClickHouseRowBuffers _rows = new();
    private ClickHouseRowProjector _projector = null!;
    private SpoolRecord _record;
    private FrameRawRow _raw;
    private int _sinceClear;

    [Params("Realtime2016Large", "Realtime2025", "AnnexQRealtime")]
    public string Frame { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var frame = Convert.FromHexString(Frame switch
        {
            "Realtime2016Large" => BenchFrames.Realtime2016Large,
            "Realtime2025" => BenchFrames.Realtime2025,
            _ => BenchFrames.AnnexQRealtime,
        });
        var payload = new byte[FrameEnvelope.SizeFor(frame.Length)];
        FrameEnvelope.WriteHeader(payload, Frame == "AnnexQRealtime" ? ListenerProtocol.Gb17691 : ListenerProtocol.Auto,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1, 32960);
        frame.CopyTo(payload, FrameEnvelope.HeaderSize);
        _record = new SpoolRecord(1 << 20, (1 << 20) + payload.Length + 8, payload);
        _projector = new ClickHouseRowProjector(Options.Create(new IngestOptions { NodeName = "bench" }));
        _raw = new FrameRawRow { Node = "bench", SpoolOffset = 1 << 20, ReceivedAt = DateTimeOffset.UtcNow, Vin = "HAUV4BGN6S5002219", FrameBytes = frame };
    }

    [Benchmark(Baseline = true)]
    public int EncodeRawRowOnly()
    {
        _rows.FramesRaw.Add(_raw);
        return ClearNow();
    }

    [Benchmark]
    public bool DecodeOnly() => DecodedRecord.Open(_record)?.HeaderValid ?? false;

    [Benchmark]
    public int DecodeAndEncodeAllRows()
    {
        _projector.Project(_record, _rows);
        return ClearNow();
    }

    private int ClearNow()
    {
        if (++_sinceClear == 1000)
        {
            _sinceClear = 0;
            foreach (var buffer in _rows.All)
            {
                buffer.Clear();
            }
        }
        return _sinceClear;
    }
}
