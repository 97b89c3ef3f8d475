using System.Buffers;
using System.Text.Json;
using Ingest.Diagnostics;
using Ingest.Hosting;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Tools;

/// <summary>Decodes one framed frame with the codec its header names and writes it as one JSON object.</summary>
internal static class DecodedFrames
{
    public readonly record struct Outcome(bool Decoded, bool RoundTripMismatch);

    public static Outcome Write(Utf8JsonWriter json, ListenerProtocol protocol, in FrameHeader header, byte[] frame, int index, long offset,
        bool verifyRoundTrip) =>
        Write(json, protocol, Hj1239UserItemLayout.LengthPrefixed, header, frame, index, offset, verifyRoundTrip);

    public static Outcome Write(Utf8JsonWriter json, ListenerProtocol protocol, Hj1239UserItemLayout userItems, in FrameHeader header,
        byte[] frame, int index, long offset, bool verifyRoundTrip)
    {
        var body = new ArrayBufferWriter<byte>(1024);
        byte[]? reencoded = null;
        DecodeError error;
        bool decoded;
        using (var bodyWriter = new Utf8JsonWriter(body, DecodeJson.WriterOptions))
        {
            if (header.Layout == HeaderLayout.Gb32960)
            {
                decoded = Gb32960Decoder.TryDecode(frame, out var gb, out error);
                if (decoded)
                {
                    Gb32960JsonWriter.Write(bodyWriter, gb!);
                    reencoded = verifyRoundTrip ? Gb32960Encoder.Encode(gb!) : null;
                }
            }
            else
            {
                var options = new Hj1239DecoderOptions { Layout = HjLayout(protocol), UserItems = userItems };
                decoded = Hj1239Decoder.TryDecode(frame, options, out var hj, out error);
                if (decoded)
                {
                    Hj1239JsonWriter.Write(bodyWriter, hj!);
                    reencoded = verifyRoundTrip ? Hj1239Encoder.Encode(hj!) : null;
                }
            }
        }
        if (!decoded)
        {
            WriteUndecodable(json, protocol, header, frame, index, offset, error);
            return new Outcome(false, false);
        }
        bool mismatch = reencoded is not null && !reencoded.AsSpan().SequenceEqual(frame);
        using var document = JsonDocument.Parse(body.WrittenMemory);
        json.WriteStartObject();
        json.WriteNumber("index", index);
        json.WriteNumber("offset", offset);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            property.WriteTo(json);
        }
        if (reencoded is not null)
        {
            json.WriteString("roundtrip", mismatch ? "mismatch" : "identical");
            if (mismatch)
            {
                json.WriteString("reencoded_hex", Convert.ToHexString(reencoded));
            }
        }
        json.WriteEndObject();
        return new Outcome(true, mismatch);
    }

    private static Hj1239Layout HjLayout(ListenerProtocol protocol) => protocol switch
    {
        ListenerProtocol.Gb17691 => Hj1239Layout.AnnexQ,
        ListenerProtocol.Hj1239 => Hj1239Layout.Hj1239,
        _ => Hj1239Layout.Auto,
    };

    /// <summary>
    /// A frame whose header and check byte are fine but whose data unit cannot be decoded: the header fields in the
    /// same vocabulary as a decoded frame (command by name and in hex), then the error.
    /// </summary>
    private static void WriteUndecodable(Utf8JsonWriter json, ListenerProtocol protocol, in FrameHeader header, byte[] frame, int index, long offset,
        DecodeError error)
    {
        bool gb = header.Layout == HeaderLayout.Gb32960;
        json.WriteStartObject();
        json.WriteNumber("index", index);
        json.WriteNumber("offset", offset);
        json.WriteString("protocol", gb ? "gb32960" : Hj1239JsonWriter.ProtocolName(HjLayout(protocol)));
        json.WriteString("command", gb ? Gb32960Command.Name(header.Command) : Hj1239Command.Name(header.Command));
        json.WriteString("command_hex", DiagnosticNames.Hex(header.Command));
        json.WriteString("vin", header.Vin.ToString());
        json.WriteString("error", DiagnosticNames.Of(error.Kind));
        json.WriteNumber("error_offset", error.Offset);
        json.WriteNumber("bytes", frame.Length);
        json.WriteString("hex", Convert.ToHexString(frame));
        json.WriteEndObject();
    }
}
