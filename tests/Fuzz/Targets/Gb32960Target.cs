using System.Buffers;
using System.Text.Json;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;

namespace Ingest.Fuzz.Targets;

/// <summary>
/// Fuzz target <c>gb32960</c>: <see cref="Gb32960Decoder"/> on one whole frame (2016 "##" and 2025 "$$").
/// <para>Input: byte 0 bit 0 set = reseal (length field and check byte made to agree, see
/// <see cref="FrameBytes.Reseal"/>); the rest is the frame.</para>
/// Invariants: a decoded frame re-encodes to exactly its input and writes valid JSON; a failure is a typed error
/// with an offset inside the frame, and a partial frame it returns re-encodes exactly too; the multi-segment
/// decode agrees with the span decode; the allocation-free info walker agrees with the decoder on every item both
/// reach; decoding allocates at most a bounded multiple of the input size.
/// </summary>
public static class Gb32960Target
{
    public const int MaxFrame = FrameHeader.Overhead + FrameHeader.MaxDataLength;

    /// <summary>Decode allocation budget: the frame objects are proportional to the bytes present, never to a count read from them.</summary>
    public static long AllocationBudget(int frameLength) => 4096 + 16L * frameLength;

    public static FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return FuzzOutcome.Empty;
        }
        var bytes = input[1..Math.Min(input.Length, 1 + MaxFrame)].ToArray();
        if ((input[0] & 1) != 0)
        {
            FrameBytes.Reseal(bytes);
        }

        bool ok = false;
        Gb32960Frame? frame = null;
        DecodeError error = default;
        Invariant.AllocatesAtMost(AllocationBudget(bytes.Length), $"Gb32960Decoder.TryDecode of {bytes.Length} bytes", () => ok = Gb32960Decoder.TryDecode(bytes, out frame, out error));

        if (ok)
        {
            Invariant.That(frame is not null && error.Kind == DecodeErrorKind.None, $"success with error {error}");
            CheckRoundTrip(frame!, bytes, "decoded frame");
            CheckJson(frame!);
            if (frame!.Body is RealtimeReport report)
            {
                CheckWalkerAgrees(report, bytes.AsSpan(FrameHeader.Size, frame.Header.DataLength));
            }
        }
        else
        {
            Invariant.That(error.Kind != DecodeErrorKind.None, "failure without an error kind");
            Invariant.That(error.Offset >= 0 && error.Offset <= Math.Max(bytes.Length, FrameHeader.Overhead),
                $"error offset {error.Offset} outside a {bytes.Length}-byte frame: {error}");
            if (frame is not null)
            {
                CheckRoundTrip(frame, bytes, $"partial frame ({error})");
            }
        }

        var segmented = Invariant.Segmented(bytes, bytes.Length);
        bool segmentedOk = Gb32960Decoder.TryDecode(segmented, Gb32960Decoder.WholeFrameOptions, out var fromSegments, out var segmentedError);
        Invariant.That(segmentedOk == ok && segmentedError.Kind == error.Kind && segmentedError.Offset == error.Offset,
            $"multi-segment decode says {segmentedOk}/{segmentedError}, span decode {ok}/{error}");
        if (fromSegments is not null)
        {
            CheckRoundTrip(fromSegments, bytes, "multi-segment frame");
        }
        return ok ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
    }

    private static void CheckRoundTrip(Gb32960Frame frame, byte[] bytes, string what)
    {
        Invariant.That(Gb32960Encoder.GetEncodedLength(frame) == bytes.Length,
            $"{what}: encoded length {Gb32960Encoder.GetEncodedLength(frame)}, input {bytes.Length}");
        var encoded = Gb32960Encoder.Encode(frame);
        Invariant.That(encoded.AsSpan().SequenceEqual(bytes),
            $"{what}: re-encodes to {Convert.ToHexString(encoded)}");
    }

    /// <summary>
    /// The allocation-free walker (the storage path) and the decoder are two parsers of the same items: wherever
    /// both got, they must agree on each item's type and length.
    /// </summary>
    private static void CheckWalkerAgrees(RealtimeReport report, ReadOnlySpan<byte> dataUnit)
    {
        var walker = new Gb32960InfoWalker(dataUnit, report.Edition);
        int i = 0;
        while (i < report.Items.Count && walker.TryReadNext(out var item))
        {
            var decoded = report.Items[i];
            Invariant.That(item.Type == decoded.Type && item.Body.Length == decoded.BodyLength,
                $"item {i}: walker found type 0x{item.Type:X2} of {item.Body.Length} bytes at {item.Offset}, decoder type 0x{decoded.Type:X2} of {decoded.BodyLength}");
            i++;
        }
    }

    private static void CheckJson(Gb32960Frame frame)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Gb32960JsonWriter.Write(writer, frame);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
    }
}
