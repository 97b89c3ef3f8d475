using BenchmarkDotNet.Attributes;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;

namespace Ingest.Benchmarks.Codec;

/// <summary>
/// The codec hot path the issue sets a target for: framing + XOR check + walking every info item, one frame per
/// operation, 0 B allocated. Baseline: the XOR over the same bytes alone (the floor any framer pays).
/// frames/s per core = 1e9 / Median(ns).
/// </summary>
[MemoryDiagnoser]
public class CodecHotPathBenchmarks
{
    private byte[] _frame = [];

    [Params(CodecFrame.Gb2016Cells184, CodecFrame.Gb2016Small, CodecFrame.Gb2016RtmCon594, CodecFrame.Hj1239Diesel10, CodecFrame.Gb2016Login)]
    public CodecFrame Frame { get; set; }

    [GlobalSetup]
    public void Setup() => _frame = CodecFrames.Bytes(Frame);

    [Benchmark(Baseline = true)]
    public byte ChecksumOnly() => Bcc.Compute(_frame.AsSpan(2, _frame.Length - 3));

    /// <summary>Framing and check byte only (FrameScanner on a contiguous buffer).</summary>
    [Benchmark]
    public int Scan() => FrameScanner.Scan(_frame, FramingOptions.Default).Length;

    /// <summary>The hot path: framing, check byte, and every info item walked (HJ 1239 with the listener's fixed layout).</summary>
    [Benchmark]
    public int ScanAndWalk() => HotPath.ScanAndWalk(_frame, FramingOptions.Default).Checksum;
}

/// <summary>
/// HJ 1239 item walk with the layout fixed per listener (baseline) vs <see cref="Hj1239Layout.Auto"/>, which first
/// decides between Annex Q and HJ 1239 from the bytes.
/// </summary>
[MemoryDiagnoser]
public class Hj1239LayoutBenchmarks
{
    private byte[] _frame = [];

    [GlobalSetup]
    public void Setup() => _frame = CodecFrames.Bytes(CodecFrame.Hj1239Diesel10);

    [Benchmark(Baseline = true)]
    public int FixedLayout() => HotPath.ScanAndWalk(_frame, FramingOptions.Default, Hj1239Layout.Hj1239).Checksum;

    [Benchmark]
    public int AutoLayout() => HotPath.ScanAndWalk(_frame, FramingOptions.Default, Hj1239Layout.Auto).Checksum;
}
