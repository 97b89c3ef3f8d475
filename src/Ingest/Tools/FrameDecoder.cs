using System.Buffers;
using System.Text.Json;
using Ingest.Diagnostics;
using Ingest.Hosting;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Tools;

/// <summary>Runs frames through framing, decoding and (optionally) re-encoding, writing JSON Lines.</summary>
public sealed class FrameDecoder
{
    private readonly ListenerProtocol _protocol;
    private readonly Hj1239UserItemLayout _userItems;
    private readonly FramingOptions _framing;

    public FrameDecoder(ListenerProtocol protocol)
        : this(protocol, Hj1239UserItemLayout.LengthPrefixed)
    {
    }

    /// <param name="protocol">What the port would speak (auto, or a fixed protocol and HJ layout).</param>
    /// <param name="userItems">How HJ items of reserved and user-defined types are delimited (a listener option).</param>
    public FrameDecoder(ListenerProtocol protocol, Hj1239UserItemLayout userItems)
    {
        _protocol = protocol;
        _userItems = userItems;
        _framing = new ListenerOptions { Protocol = protocol, MaxFrameBytes = 65556 }.ToFramingOptions();
    }

    public readonly record struct Summary(int Frames, int Errors, int RoundTripMismatches);

    /// <summary>Each item is one whole frame: a declared length that disagrees with the item's size is an error.</summary>
    public Summary DecodeItems(IReadOnlyList<byte[]> items, Stream output, bool verifyRoundTrip)
    {
        int frames = 0, errors = 0, mismatches = 0;
        for (int i = 0; i < items.Count; i++)
        {
            using var json = new Utf8JsonWriter(output, DecodeJson.WriterOptions);
            if (!WholeFrame.TryValidate(items[i], _framing, out var header, out var error))
            {
                WriteError(json, i, 0, items[i].Length, error, items[i]);
                errors++;
            }
            else
            {
                var outcome = DecodedFrames.Write(json, _protocol, _userItems, header, items[i], i, 0, verifyRoundTrip);
                frames += outcome.Decoded ? 1 : 0;
                errors += outcome.Decoded ? 0 : 1;
                mismatches += outcome.RoundTripMismatch ? 1 : 0;
            }
            json.Flush();
            output.WriteByte((byte)'\n');
        }
        output.Flush();
        return new Summary(frames, errors, mismatches);
    }

    /// <summary>All items are one byte stream, split by the same framer the server uses.</summary>
    public Summary DecodeStream(IReadOnlyList<byte[]> items, Stream output, bool verifyRoundTrip)
    {
        var bytes = items.SelectMany(b => b).ToArray();
        var buffer = new ReadOnlySequence<byte>(bytes);
        int index = 0, frames = 0, errors = 0, mismatches = 0;
        long offset = 0;
        while (true)
        {
            var scan = FrameScanner.Scan(buffer, _framing);
            using var json = new Utf8JsonWriter(output, DecodeJson.WriterOptions);
            if (scan.Status == FrameScanStatus.NeedMoreData)
            {
                if (buffer.Length > 0)
                {
                    // End of input inside a frame: what a server would keep waiting for.
                    WriteError(json, index, offset, (int)buffer.Length, new DecodeError(DecodeErrorKind.Truncated, 0), buffer.ToArray());
                    json.Flush();
                    output.WriteByte((byte)'\n');
                    errors++;
                }
                break;
            }
            var slice = buffer.Slice(0, scan.Length).ToArray();
            if (scan.Status == FrameScanStatus.Skip)
            {
                WriteError(json, index, offset, scan.Length, scan.Error, slice);
                errors++;
            }
            else
            {
                var outcome = DecodedFrames.Write(json, _protocol, _userItems, scan.Header, slice, index, offset, verifyRoundTrip);
                frames += outcome.Decoded ? 1 : 0;
                errors += outcome.Decoded ? 0 : 1;
                mismatches += outcome.RoundTripMismatch ? 1 : 0;
            }
            json.Flush();
            output.WriteByte((byte)'\n');
            index++;
            offset += scan.Length;
            buffer = buffer.Slice(scan.Length);
        }
        output.Flush();
        return new Summary(frames, errors, mismatches);
    }

    internal static void WriteError(Utf8JsonWriter json, int index, long offset, int length, DecodeError error, ReadOnlySpan<byte> bytes)
    {
        json.WriteStartObject();
        json.WriteNumber("index", index);
        json.WriteNumber("offset", offset);
        json.WriteString("error", DiagnosticNames.Of(error.Kind));
        json.WriteNumber("error_offset", error.Offset);
        if (error.Expected >= 0)
        {
            json.WriteNumber("expected", error.Expected);
        }
        if (error.Actual >= 0)
        {
            json.WriteNumber("actual", error.Actual);
        }
        json.WriteNumber("bytes", length);
        json.WriteString("hex", Convert.ToHexString(bytes.Length > 4096 ? bytes[..4096] : bytes));
        json.WriteEndObject();
    }
}
