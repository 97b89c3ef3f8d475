using System.Buffers;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;

namespace Ingest.Fuzz.Targets;

/// <summary>
/// Fuzz target <c>framer</c>: <see cref="FrameScanner"/> over a byte stream.
/// <para>Input: byte 0 chooses the framing options and the read chunking (see <see cref="Options"/>); the rest is
/// the stream.</para>
/// Invariants, per scan: progress (every result consumes at least one byte or says need-more), need-more only
/// while less than <see cref="FramingOptions.MaxFrameBytes"/> is buffered, a frame is what its header says and
/// passes <see cref="WholeFrame"/>, a multi-segment scan says exactly what the single-span scan says, and no scan
/// allocates. Per stream: feeding it in chunks, as reads arrive, finds exactly the frames that one scan of the
/// whole stream finds (a frame must not be lost or invented by where TCP happened to cut).
/// </summary>
public static class FramerTarget
{
    /// <summary>Longer inputs are cut: a few max-size frames are enough and keep each run fast.</summary>
    public const int MaxStream = 3 * FramingOptions.DefaultMaxFrameBytes;

    private static readonly AcceptedProtocols[] Accepted =
    [
        AcceptedProtocols.All, AcceptedProtocols.Gb32960, AcceptedProtocols.Hj1239, AcceptedProtocols.Gb32960v2016,
        AcceptedProtocols.Gb32960v2025, AcceptedProtocols.Gb32960v2016 | AcceptedProtocols.Hj1239, AcceptedProtocols.All,
        AcceptedProtocols.All,
    ];

    private static readonly int[] MaxFrameBytes = [FramingOptions.DefaultMaxFrameBytes, 64, 300, FrameHeader.Overhead + FrameHeader.MaxDataLength];

    /// <summary>Bits 0-2: accepted families; bit 3: custom commands; bits 4-5: max frame size.</summary>
    public static FramingOptions Options(byte control) => new()
    {
        Accepted = Accepted[control & 7],
        AllowCustomCommands = (control & 8) != 0,
        MaxFrameBytes = MaxFrameBytes[(control >> 4) & 3],
    };

    public static FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return FuzzOutcome.Empty;
        }
        var options = Options(input[0]);
        var stream = input[1..Math.Min(input.Length, 1 + MaxStream)].ToArray();
        var whole = ScanWhole(stream, options, seed: input[0]);
        var chunked = ScanInChunks(stream, options, seed: input[0] >> 6);
        Invariant.That(whole.SequenceEqual(chunked),
            $"chunked reads found frames [{string.Join(", ", chunked)}], one scan found [{string.Join(", ", whole)}]");
        return whole.Count > 0 ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
    }

    /// <summary>Scans the whole stream from the start, checking every result; returns the frames as (offset, length).</summary>
    private static List<(int Offset, int Length)> ScanWhole(byte[] stream, FramingOptions options, int seed)
    {
        var frames = new List<(int, int)>();
        int position = 0;
        while (position < stream.Length)
        {
            var rest = stream.AsMemory(position);
            var sequence = Invariant.Segmented(rest, seed + position);

            FrameScanResult scan = default, segmented = default;
            Invariant.AllocatesAtMost(0, "FrameScanner.Scan", () =>
            {
                scan = FrameScanner.Scan(rest.Span, options);
                segmented = FrameScanner.Scan(sequence, options);
            });

            Invariant.That(Same(scan, segmented),
                $"at {position}: span scan {Describe(scan)}, multi-segment scan {Describe(segmented)}");
            CheckResult(scan, rest.Span, options, position);
            if (scan.Status == FrameScanStatus.NeedMoreData)
            {
                break;
            }
            if (scan.Status == FrameScanStatus.Frame)
            {
                frames.Add((position, scan.Length));
            }
            position += scan.Length;
        }
        return frames;
    }

    private static void CheckResult(in FrameScanResult scan, ReadOnlySpan<byte> rest, FramingOptions options, int position)
    {
        switch (scan.Status)
        {
            case FrameScanStatus.NeedMoreData:
                // Waiting is only allowed for a frame that can still fit: otherwise a forged length stalls the stream.
                Invariant.That(rest.Length < options.MaxFrameBytes,
                    $"at {position}: need-more with {rest.Length} bytes buffered, max frame {options.MaxFrameBytes}");
                break;
            case FrameScanStatus.Skip:
                Invariant.That(scan.Length >= 1 && scan.Length <= rest.Length,
                    $"at {position}: skip of {scan.Length} with {rest.Length} bytes buffered");
                Invariant.That(scan.Error.Kind is DecodeErrorKind.Junk or DecodeErrorKind.Checksum or DecodeErrorKind.Length,
                    $"at {position}: skip for {scan.Error.Kind}");
                break;
            case FrameScanStatus.Frame:
                var header = scan.Header;
                Invariant.That(scan.Length == header.FrameLength && scan.Length <= rest.Length && scan.Length <= options.MaxFrameBytes,
                    $"at {position}: frame of {scan.Length} bytes, header says {header.FrameLength}, {rest.Length} buffered");
                var frame = rest[..scan.Length];
                Invariant.That(WholeFrame.TryValidate(frame, options, out var whole, out var error),
                    $"at {position}: framed {scan.Length} bytes that WholeFrame rejects: {error}");
                Invariant.That(whole.Command == header.Command && whole.Layout == header.Layout && whole.Vin == header.Vin,
                    $"at {position}: the framer's header differs from WholeFrame's");
                // A frame is a frame whatever follows it.
                var alone = FrameScanner.Scan(frame, options);
                Invariant.That(alone.Status == FrameScanStatus.Frame && alone.Length == scan.Length,
                    $"at {position}: the frame alone scans as {Describe(alone)}");
                break;
            default:
                Invariant.That(false, $"at {position}: unknown status {scan.Status}");
                break;
        }
    }

    /// <summary>
    /// Feeds the stream as reads of drawn sizes, the way a connection's loop does: scan what is buffered until
    /// need-more, keep the rest, append the next read. Returns the frames as (offset, length).
    /// </summary>
    private static List<(int Offset, int Length)> ScanInChunks(byte[] stream, FramingOptions options, int seed)
    {
        var frames = new List<(int, int)>();
        var random = new Random(seed);
        int consumed = 0, received = 0;
        while (received < stream.Length)
        {
            received = Math.Min(stream.Length, received + 1 + random.Next(seed == 0 ? 8 : 64 << seed));
            while (consumed < received)
            {
                var scan = FrameScanner.Scan(stream.AsSpan(consumed, received - consumed), options);
                if (scan.Status == FrameScanStatus.NeedMoreData)
                {
                    break;
                }
                if (scan.Status == FrameScanStatus.Frame)
                {
                    frames.Add((consumed, scan.Length));
                }
                consumed += scan.Length;
            }
        }
        return frames;
    }

    private static bool Same(in FrameScanResult a, in FrameScanResult b) =>
        a.Status == b.Status && a.Length == b.Length && a.Error.Kind == b.Error.Kind
        && (a.Status != FrameScanStatus.Frame || a.Header.FrameLength == b.Header.FrameLength && a.Header.Vin == b.Header.Vin);

    private static string Describe(in FrameScanResult r) => $"{r.Status}({r.Length}, {r.Error.Kind})";
}
