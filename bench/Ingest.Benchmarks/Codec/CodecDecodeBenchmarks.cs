using BenchmarkDotNet.Attributes;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Hj1239;

namespace Ingest.Benchmarks.Codec;

/// <summary>
/// Full, materialised decode (typed frame objects; allocation expected) vs the allocation-free hot path over the
/// same frame (baseline), so the ratio is what materialising costs.
/// </summary>
[MemoryDiagnoser]
public class CodecDecodeBenchmarks
{
    private byte[] _frame = [];
    private bool _hj;

    [Params(CodecFrame.Gb2016Cells184, CodecFrame.Gb2016Small, CodecFrame.Gb2016RtmCon594, CodecFrame.Hj1239Diesel10, CodecFrame.Gb2016Login)]
    public CodecFrame Frame { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frame = CodecFrames.Bytes(Frame);
        _hj = CodecFrames.IsHj1239(Frame);
        if (Decode() is null)
        {
            throw new InvalidOperationException($"{Frame} does not decode.");
        }
    }

    [Benchmark(Baseline = true)]
    public int ScanAndWalk() => HotPath.ScanAndWalk(_frame, FramingOptions.Default).Checksum;

    /// <summary>Gb32960Decoder.TryDecode / Hj1239Decoder.TryDecode (HJ 1239 layout) on a whole frame.</summary>
    [Benchmark]
    public object? Decode()
    {
        DecodeError error;
        if (_hj)
        {
            return Hj1239Decoder.TryDecode(_frame, Hj1239Layout.Hj1239, out var hj, out error) ? hj : null;
        }
        return Gb32960Decoder.TryDecode(_frame, out var gb, out error) ? gb : null;
    }
}
