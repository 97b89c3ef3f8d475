using System.Buffers;
using System.Text.Json;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;

namespace Ingest.Fuzz.Targets;

/// <summary>
/// Fuzz target <c>hj1239</c>: <see cref="Hj1239Decoder"/> (HJ 1239.2 and GB 17691 Annex Q) on one whole frame.
/// <para>Input: byte 0 bits 0-1 = the listener layout (Auto, AnnexQ, Hj1239; 3 = Auto), bit 2 = reseal (see
/// <see cref="FrameBytes.Reseal"/>); the rest is the frame.</para>
/// Invariants: as for <see cref="Gb32960Target"/> — exact re-encoding of what decodes, valid JSON, typed errors
/// with offsets in the frame, multi-segment agreement, allocation bounded by the input size — and a frame that
/// decodes under a fixed layout keeps that layout.
/// </summary>
public static class Hj1239Target
{
    public const int MaxFrame = FrameHeader.Overhead + FrameHeader.MaxDataLength;

    private static readonly Hj1239Layout[] Layouts = [Hj1239Layout.Auto, Hj1239Layout.AnnexQ, Hj1239Layout.Hj1239, Hj1239Layout.Auto];

    public static long AllocationBudget(int frameLength) => 4096 + 16L * frameLength;

    public static FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return FuzzOutcome.Empty;
        }
        var layout = Layouts[input[0] & 3];
        var bytes = input[1..Math.Min(input.Length, 1 + MaxFrame)].ToArray();
        if ((input[0] & 4) != 0)
        {
            FrameBytes.Reseal(bytes);
        }

        bool ok = false;
        Hj1239Frame? frame = null;
        DecodeError error = default;
        Invariant.AllocatesAtMost(AllocationBudget(bytes.Length), $"Hj1239Decoder.TryDecode({layout}) of {bytes.Length} bytes", () => ok = Hj1239Decoder.TryDecode(bytes, layout, out frame, out error));

        if (ok)
        {
            Invariant.That(frame is not null && error.Kind == DecodeErrorKind.None, $"success with error {error}");
            Invariant.That(layout == Hj1239Layout.Auto || frame!.Layout == layout,
                $"listener layout {layout}, frame decoded as {frame!.Layout}");
            CheckRoundTrip(frame!, bytes);
            CheckJson(frame!);
        }
        else
        {
            Invariant.That(error.Kind != DecodeErrorKind.None, "failure without an error kind");
            Invariant.That(error.Offset >= 0 && error.Offset <= Math.Max(bytes.Length, FrameHeader.Overhead),
                $"error offset {error.Offset} outside a {bytes.Length}-byte frame: {error}");
        }

        var segmented = Invariant.Segmented(bytes, bytes.Length);
        bool segmentedOk = Hj1239Decoder.TryDecode(segmented, layout, out var fromSegments, out var segmentedError);
        Invariant.That(segmentedOk == ok && segmentedError.Kind == error.Kind && segmentedError.Offset == error.Offset,
            $"multi-segment decode says {segmentedOk}/{segmentedError}, span decode {ok}/{error}");
        if (fromSegments is not null)
        {
            CheckRoundTrip(fromSegments, bytes);
        }
        return ok ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
    }

    private static void CheckRoundTrip(Hj1239Frame frame, byte[] bytes)
    {
        Invariant.That(Hj1239Encoder.GetEncodedLength(frame) == bytes.Length,
            $"encoded length {Hj1239Encoder.GetEncodedLength(frame)}, input {bytes.Length}");
        var encoded = Hj1239Encoder.Encode(frame);
        Invariant.That(encoded.AsSpan().SequenceEqual(bytes), $"re-encodes to {Convert.ToHexString(encoded)}");
    }

    private static void CheckJson(Hj1239Frame frame)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Hj1239JsonWriter.Write(writer, frame);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
    }
}
