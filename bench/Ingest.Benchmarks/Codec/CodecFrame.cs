using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Hj1239;

namespace Ingest.Benchmarks.Codec;

/// <summary>The frames every codec benchmark runs over (one BenchmarkDotNet parameter).</summary>
public enum CodecFrame
{
    /// <summary>Built: GB/T 32960-2016 realtime, 558 bytes, 184 cell voltages, 64 probes, 7 info items.</summary>
    Gb2016Cells184,

    /// <summary>Real (rtm_con): GB/T 32960-2016 realtime, 52 bytes, whole-vehicle block only.</summary>
    Gb2016Small,

    /// <summary>Real (rtm_con data_2016): GB/T 32960-2016 realtime, 594 bytes, every standard info type.</summary>
    Gb2016RtmCon594,

    /// <summary>Built: HJ 1239.2 layout realtime, 539 bytes, ten diesel data-stream items and an SM2-sized signature.</summary>
    Hj1239Diesel10,

    /// <summary>Real (node_vehicleLogin_test): GB/T 32960-2016 vehicle login, 55 bytes.</summary>
    Gb2016Login,
}

public static class CodecFrames
{
    /// <summary>The frame's bytes; throws when a built frame is not the size the benchmarks document.</summary>
    public static byte[] Bytes(CodecFrame frame)
    {
        var (bytes, expectedLength) = frame switch
        {
            CodecFrame.Gb2016Cells184 => (BuiltFrames.Gb2016Cells184(), BuiltFrames.Gb2016Cells184Length),
            CodecFrame.Gb2016Small => (Convert.FromHexString(BenchFrames.Realtime2016Small), 52),
            CodecFrame.Gb2016RtmCon594 => (Convert.FromHexString(BenchFrames.Realtime2016Large), 594),
            CodecFrame.Hj1239Diesel10 => (BuiltFrames.Hj1239Diesel10(), BuiltFrames.Hj1239Diesel10Length),
            CodecFrame.Gb2016Login => (Convert.FromHexString(BenchFrames.Login2016), 55),
            _ => throw new ArgumentOutOfRangeException(nameof(frame)),
        };
        if (bytes.Length != expectedLength)
        {
            throw new InvalidOperationException($"{frame} is {bytes.Length} bytes, expected {expectedLength}.");
        }
        var check = HotPath.ScanAndWalk(bytes, FramingOptions.Default);
        if (check.Status != FrameScanStatus.Frame || check.Error.IsError || check.Items != ExpectedItems(frame))
        {
            throw new InvalidOperationException(
                $"{frame} does not walk cleanly: {check.Status}, {check.Items} items (expected {ExpectedItems(frame)}), error {check.Error}.");
        }
        return bytes;
    }

    /// <summary>Info items a clean walk must find; 0 for a login (nothing to walk beyond the header).</summary>
    public static int ExpectedItems(CodecFrame frame) => frame switch
    {
        CodecFrame.Gb2016Cells184 => 7,
        CodecFrame.Gb2016Small => 1,
        CodecFrame.Gb2016RtmCon594 => 8,
        CodecFrame.Hj1239Diesel10 => 10,
        _ => 0,
    };

    public static bool IsHj1239(CodecFrame frame) => frame == CodecFrame.Hj1239Diesel10;
}
