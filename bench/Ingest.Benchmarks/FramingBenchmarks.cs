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
        _segmented = SegmentedSequence.Split(_frame, parts: 3);
    }

    [Benchmark(Baseline = true)]
    public byte XorOnly() => Bcc.Compute(_frame.AsSpan(2, _frame.Length - 3));

    [Benchmark]
    public int ScanContiguous() => FrameScanner.Scan(_frame, FramingOptions.Default).Length;

    [Benchmark]
    public int ScanThreeSegments() => FrameScanner.Scan(_segmented, FramingOptions.Default).Length;
}

/// <summary>A frame spread over several pipe segments, as it arrives when TCP splits it.</summary>
public static class SegmentedSequence
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, int parts)
    {
        int size = (bytes.Length + parts - 1) / parts;
        Segment? first = null, last = null;
        for (int i = 0; i < bytes.Length; i += size)
        {
            var memory = bytes.AsMemory(i, Math.Min(size, bytes.Length - i));
            last = first is null ? (first = new Segment(memory, 0)) : last!.Append(memory);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
