using System.Buffers;
using BenchmarkDotNet.Attributes;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;

namespace Ingest.Benchmarks;

/// <summary>
/// The framer on its own: find the marker, check the header, verify the XOR, for one frame at the start of a
/// buffer (contiguous, and split over 3 pipe segments). Baseline: the XOR check alone over the same bytes, the
/// least any framer must do.
/// </summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private byte[] _frame = [];
    private ReadOnlySequence<byte> _segmented;

    [Params("Realtime2016Large", "Realtime2016Small", "AnnexQRealtime")]
    public string Frame { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _frame = Convert.FromHexString(Frame switch
        {
            "Realtime2016Large" => BenchFrames.Realtime2016Large,
            "Realtime2016Small" => BenchFrames.Realtime2016Small,
            _ => BenchFrames.AnnexQRealtime,
        });
        _segmented = global::Protocol.Tests.Support.Segments.Split(_frame, (_frame.Length + 2) / 3); // three segments
    }

    [Benchmark(Baseline = true)]
    public byte XorOnly() => Bcc.Compute(_frame.AsSpan(2, _frame.Length - 3));

    [Benchmark]
    public int ScanContiguous() => FrameScanner.Scan(_frame, FramingOptions.Default).Length;

    [Benchmark]
    public int ScanThreeSegments() => FrameScanner.Scan(_segmented, FramingOptions.Default).Length;
}
