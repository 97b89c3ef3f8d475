using System.Buffers;
using System.CommandLine;
using System.Text.Json;
using Ingest.Hosting;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239.InfoUnits;

namespace Ingest.Tools;

/// <summary>
/// "decode": the engineers' frame decoder. Reads hex frames (one per item, or all items as one TCP byte stream)
/// and prints one JSON object per frame or per error, in input order (JSON Lines). Exit codes: 0 done, 1 a
/// re-encoded frame differed (<c>--verify-roundtrip</c>), 2 wrong arguments (parse errors included, see
/// <see cref="IngestCommandLine"/>).
/// </summary>
public static class DecodeCommand
{
    public static Command Create()
    {
        var hex = new Option<string[]>("--hex") { Description = "A frame as hex (spaces allowed). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var file = new Option<FileInfo?>("--file") { Description = "A file with one hex frame per line ('#' starts a comment)." };
        var stream = new Option<bool>("--stream") { Description = "Treat all input bytes as one TCP byte stream (sticky and half frames, junk) instead of one frame per item." };
        var protocol = new Option<ListenerProtocol>("--protocol") { Description = "auto, gb32960, hj1239 or gb17691.", DefaultValueFactory = _ => ListenerProtocol.Auto };
        var verify = new Option<bool>("--verify-roundtrip") { Description = "Re-encode every decoded frame; exit 1 when any differs from its input." };
        var userItems = new Option<Hj1239UserItemLayout>("--hj-user-items")
        {
            Description = "HJ items of reserved/user-defined info types: LengthPrefixed (default: time or serial, WORD length, data), RestOfItems or Reject.",
            DefaultValueFactory = _ => Hj1239UserItemLayout.LengthPrefixed,
        };
        var command = new Command("decode", "Decode GB/T 32960 and HJ 1239 / GB 17691 frames to JSON Lines (schema: decode-output.schema.json beside the executable).")
        {
            hex, file, stream, protocol, verify, userItems,
        };
        command.SetAction(parse =>
        {
            var items = new List<byte[]>();
            try
            {
                foreach (var h in parse.GetValue(hex) ?? [])
                {
                    items.Add(ParseHex(h));
                }
                if (parse.GetValue(file) is { } f)
                {
                    foreach (var line in File.ReadLines(f.FullName))
                    {
                        var text = line.Split('#')[0].Trim();
                        if (text.Length > 0)
                        {
                            items.Add(ParseHex(text));
                        }
                    }
                }
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine($"decode: {ex.Message}");
                return 2;
            }
            if (items.Count == 0)
            {
                Console.Error.WriteLine("decode: give frames with --hex HEX or --file FILE.");
                return 2;
            }
            using var stdout = Console.OpenStandardOutput();
            var decoder = new FrameDecoder(parse.GetValue(protocol), parse.GetValue(userItems));
            var summary = parse.GetValue(stream)
                ? decoder.DecodeStream(items, stdout, parse.GetValue(verify))
                : decoder.DecodeItems(items, stdout, parse.GetValue(verify));
            return summary.RoundTripMismatches > 0 ? 1 : 0;
        });
        return command;
    }

    internal static byte[] ParseHex(string text)
    {
        var compact = new string(text.Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (compact.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            compact = compact[2..];
        }
        try
        {
            return Convert.FromHexString(compact);
        }
        catch (FormatException)
        {
            throw new FormatException($"not hex: '{(text.Length > 40 ? text[..40] + "..." : text)}'");
        }
    }
}
