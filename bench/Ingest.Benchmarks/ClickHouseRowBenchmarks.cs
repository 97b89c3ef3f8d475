using BenchmarkDotNet.Attributes;
using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Records;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Spool;
using Ingest.Tests.Projection;
using LoadGen.Frames;
using Microsoft.Extensions.Options;

namespace Ingest.Benchmarks;

/// <summary>
/// What the ClickHouse sink spends per spool record building its rows (RowBinary bytes of every table the record
/// touches: frames_raw plus vehicle_samples or emission_samples), old path against new in one run:
/// <list type="bullet">
/// <item><c>DecodeAndRowStructs</c> (baseline): the projection before issue 7, a full decode into a DecodedRecord,
/// row structs with strings and arrays, then RowBinaryWriter (kept in the tests as the oracle).</item>
/// <item><c>WalkersToRowBinary</c>: <see cref="ClickHouseRowProjector"/>, one pass with the walkers straight into the
/// table buffers.</item>
/// </list>
/// Records are the load generator's realtime frames: GB/T 32960 with 96 cells and 32 probes (issue 7 goal 5: at most
/// 2 µs and 0 B), HJ 1239 and GB 17691 with ten diesel data-stream items (same goal), and the large real 2016 frame
/// (192 cells). Buffers are cleared every 1,000 records, as the sink does per batch, so their growth is amortised.
/// </summary>
[MemoryDiagnoser]
public class ClickHouseRowBenchmarks
{
    private static readonly IOptions<IngestOptions> Options =
        Microsoft.Extensions.Options.Options.Create(new IngestOptions { NodeName = "bench" });

    private readonly ClickHouseRowBuffers _rows = new();
    private readonly ClickHouseRowProjector _projector = new(Options);
    private readonly ReferenceRowProjector _reference = new(Options);
    private SpoolRecord _record;
    private int _sinceClear;

    [Params("Gb2016_96cells_32probes", "Gb2025_96cells_32probes", "Hj1239_10items", "Gb17691_10items", "Real2016_192cells")]
    public string Record { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _record = BuildRecord(Record);

        // Both paths must produce rows for these records, or the comparison measures nothing.
        _projector.Project(_record, _rows);
        if (_rows.VehicleSamples.Count + _rows.EmissionSamples.Count == 0)
        {
            throw new InvalidOperationException($"{Record} projects to no sample rows.");
        }
        _rows.Clear();
    }

    /// <summary>The named record wrapped as the session wraps it (also used by <see cref="VehicleStateBenchmarks"/>).</summary>
    internal static SpoolRecord BuildRecord(string name)
    {
        var (frame, port) = name switch
        {
            "Gb2016_96cells_32probes" => (Built(TerminalProtocol.Gb2016, new FrameShape()), ListenerProtocol.Gb32960),
            "Gb2025_96cells_32probes" => (Built(TerminalProtocol.Gb2025, new FrameShape()), ListenerProtocol.Gb32960),
            "Hj1239_10items" => (Built(TerminalProtocol.Hj1239, new FrameShape { Mix = InfoMix.Parse("02x10") }), ListenerProtocol.Hj1239),
            "Gb17691_10items" => (Built(TerminalProtocol.Gb17691, new FrameShape { Mix = InfoMix.Parse("02x10") }), ListenerProtocol.Gb17691),
            _ => (Convert.FromHexString(BenchFrames.Realtime2016Large), ListenerProtocol.Auto),
        };
        var payload = new byte[FrameEnvelope.SizeFor(frame.Length)];
        FrameEnvelope.WriteHeader(payload, port, new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), 1, 32960);
        frame.CopyTo(payload, FrameEnvelope.HeaderSize);
        return new SpoolRecord(1 << 20, (1 << 20) + payload.Length + 8, payload);
    }

    [Benchmark(Baseline = true)]
    public int DecodeAndRowStructs()
    {
        _reference.Project(_record, _rows);
        return ClearNow();
    }

    [Benchmark]
    public int WalkersToRowBinary()
    {
        _projector.Project(_record, _rows);
        return ClearNow();
    }

    private static byte[] Built(TerminalProtocol protocol, FrameShape shape)
    {
        var data = TerminalFrames.Build(protocol, "LGDCH91G8KA141269", shape, seed: 7).Data;
        data.Stamp(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero), 1);
        return data.Span.ToArray();
    }

    private int ClearNow()
    {
        if (++_sinceClear == 1000)
        {
            _sinceClear = 0;
            _rows.Clear();
        }
        return _sinceClear;
    }
}
