using System.Buffers;
using BenchmarkDotNet.Attributes;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Hj1239;

namespace Ingest.Benchmarks.Codec;

/// <summary>
/// Encoding a decoded frame back to bytes. Baseline: copying the already-encoded bytes and sealing the check byte,
/// the least any encoder writing that frame does.
/// </summary>
[MemoryDiagnoser]
public class CodecEncodeBenchmarks
{
    private byte[] _frame = [];
    private byte[] _destination = [];
    private Gb32960Frame? _gb;
    private Hj1239Frame? _hj;
    private readonly ArrayBufferWriter<byte> _writer = new(64 * 1024);

    [Params(CodecFrame.Gb2016Cells184, CodecFrame.Gb2016Small, CodecFrame.Gb2016RtmCon594, CodecFrame.Hj1239Diesel10, CodecFrame.Gb2016Login)]
    public CodecFrame Frame { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frame = CodecFrames.Bytes(Frame);
        _destination = new byte[_frame.Length];
        if (CodecFrames.IsHj1239(Frame))
        {
            Hj1239Decoder.TryDecode(_frame, Hj1239Layout.Hj1239, out _hj, out _);
        }
        else
        {
            Gb32960Decoder.TryDecode(_frame, out _gb, out _);
        }
        if (EncodeToSpan() != _frame.Length || !_destination.AsSpan().SequenceEqual(_frame))
        {
            throw new InvalidOperationException($"{Frame} does not re-encode to its own bytes.");
        }
    }

    [Benchmark(Baseline = true)]
    public int CopyAndSeal()
    {
        _frame.CopyTo(_destination, 0);
        FrameEncoding.Seal(_destination);
        return _destination.Length;
    }

    /// <summary>Encoder into a caller's span (the size is measured first, as the encoder does).</summary>
    [Benchmark]
    public int EncodeToSpan() => _hj is not null ? Hj1239Encoder.Encode(_hj, _destination) : Gb32960Encoder.Encode(_gb!, _destination.AsSpan());

    /// <summary>Encoder into an IBufferWriter (what a pipe writer gets), reset each time.</summary>
    [Benchmark]
    public int EncodeToBufferWriter()
    {
        _writer.ResetWrittenCount();
        return _hj is not null ? Hj1239Encoder.Encode(_hj, _writer) : Gb32960Encoder.Encode(_gb!, _writer);
    }
}
