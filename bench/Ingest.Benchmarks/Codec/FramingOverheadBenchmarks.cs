using BenchmarkDotNet.Attributes;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;

namespace Ingest.Benchmarks.Codec;

/// <summary>
/// Where the framer's fixed per-frame cost goes, on the 52-byte frame where it dominates: the XOR alone (baseline),
/// <see cref="WholeFrame.TryValidate"/> (header validation + XOR on bytes known to be one frame, no marker search
/// and no header copy), and <see cref="FrameScanner.Scan(ReadOnlySpan{byte}, FramingOptions)"/> (the stream framer).
/// </summary>
[MemoryDiagnoser]
public class FramingOverheadBenchmarks
{
    private byte[] _frame = [];

    [Params(CodecFrame.Gb2016Small, CodecFrame.Gb2016Cells184)]
    public CodecFrame Frame { get; set; }

    [GlobalSetup]
    public void Setup() => _frame = CodecFrames.Bytes(Frame);

    [Benchmark(Baseline = true)]
    public byte ChecksumOnly() => Bcc.Compute(_frame.AsSpan(2, _frame.Length - 3));

    [Benchmark]
    public int WholeFrameValidate() =>
        WholeFrame.TryValidate(_frame, FramingOptions.Default, out var header, out DecodeError _) ? header.DataLength : -1;

    [Benchmark]
    public int Scan() => FrameScanner.Scan(_frame, FramingOptions.Default).Length;
}
