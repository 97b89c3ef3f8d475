using System.Text.Json;
using Ingest.Hosting;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Tools;
using Json.Schema;

namespace Ingest.Tests.Tools;

/// <summary>The engineers' decode tool: JSON Lines in input order, errors as objects, round-trip verification.</summary>
public class DecodeToolTests
{
    private static readonly string[] Rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Vectors", "vectors.tsv")).Skip(1).ToArray();

    private static string Hex(string file, string titleStart) =>
        Rows.Select(r => r.Split('\t')).Single(f => f[0] == file && f[2].StartsWith(titleStart, StringComparison.Ordinal))[7];

    private static string Hex(string titleStart) => Rows.Select(r => r.Split('\t')).Single(f => f[2].StartsWith(titleStart, StringComparison.Ordinal))[7];

    /// <summary>The schema shipped beside the executable (src/Ingest/Tools/decode-output.schema.json).</summary>
    private static readonly Lazy<JsonSchema> s_schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "decode-output.schema.json"))));

    private static string RawOutput(ListenerProtocol protocol, bool stream, params string[] hex)
    {
        using var output = new MemoryStream();
        var decoder = new FrameDecoder(protocol);
        var items = hex.Select(DecodeCommand.ParseHex).ToList();
        _ = stream ? decoder.DecodeStream(items, output, true) : decoder.DecodeItems(items, output, true);
        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }

    private static void AssertMatchesSchema(JsonElement line)
    {
        var result = s_schema.Value.Evaluate(line, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation} ({d.EvaluationPath}): {string.Join("; ", d.Errors!.Values)}");
        Assert.True(result.IsValid, $"{line.GetRawText()[..Math.Min(300, line.GetRawText().Length)]}\n{string.Join("\n", errors)}");
    }

    private static List<JsonElement> Run(ListenerProtocol protocol, bool stream, bool verify, params string[] hex)
    {
        using var output = new MemoryStream();
        var decoder = new FrameDecoder(protocol);
        var items = hex.Select(DecodeCommand.ParseHex).ToList();
        var summary = stream ? decoder.DecodeStream(items, output, verify) : decoder.DecodeItems(items, output, verify);
        Assert.True(summary.RoundTripMismatches == 0);
        return System.Text.Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
    }

    [Fact]
    public void A_real_2016_realtime_frame_decodes_to_engineering_units_and_round_trips()
    {
        var line = Assert.Single(Run(ListenerProtocol.Auto, false, true, Hex("35. data_2016")));
        Assert.Equal("gb32960", line.GetProperty("protocol").GetString());
        Assert.Equal("2016", line.GetProperty("edition").GetString());
        Assert.Equal("HAUV4BGN6S5002219", line.GetProperty("vin").GetString());
        Assert.EndsWith("+08:00", line.GetProperty("time").GetString());
        Assert.Equal("identical", line.GetProperty("roundtrip").GetString());
    }

    [Fact]
    public void Sentinels_are_the_strings_abnormal_and_invalid_never_numbers()
    {
        var line = Assert.Single(Run(ListenerProtocol.Auto, false, false, Hex("5. data2016 with only whole_vehicle_data")));
        var vehicle = line.GetProperty("items")[0];
        Assert.Equal("invalid", vehicle.GetProperty("speed_kmh").GetString());
        Assert.Equal("invalid", vehicle.GetProperty("soc_percent").GetString());
    }

    [Fact]
    public void The_stream_vector_gives_junk_a_checksum_error_two_frames_and_a_truncated_tail_with_offsets()
    {
        var lines = Run(ListenerProtocol.Auto, true, true, Hex("Stream vector"));
        Assert.Equal(["junk", "checksum", "frame", "frame", "truncated"],
            lines.Select(l => l.TryGetProperty("error", out var e) ? e.GetString() : "frame"));
        Assert.Equal([0L, 3, 182, 352, 522], lines.Select(l => l.GetProperty("offset").GetInt64()));
    }

    [Fact]
    public void A_frame_with_a_wrong_check_byte_is_reported_as_a_checksum_error_with_expected_and_actual()
    {
        var line = Assert.Single(Run(ListenerProtocol.Auto, false, false, Hex("37. README realtime 2025")));
        Assert.Equal("checksum", line.GetProperty("error").GetString());
        Assert.True(line.TryGetProperty("expected", out _));
    }

    [Fact]
    public void Every_vector_that_should_decode_round_trips_through_the_tool()
    {
        var hex = Rows.Select(r => r.Split('\t')).Where(f => f[6] is "decode" or "lenient").Select(f => f[7]).ToArray();
        var lines = Run(ListenerProtocol.Auto, false, true, hex);
        Assert.Equal(hex.Length, lines.Count);
        Assert.All(lines, l => Assert.Equal("identical", l.GetProperty("roundtrip").GetString()));
    }

    [Fact]
    public async Task An_argument_the_command_line_cannot_parse_exits_with_2()
    {
        var error = new StringWriter();
        var code = await IngestCommandLine.RunAsync(["decode", "--hex", "2323", "--no-such-option"], new StringWriter(), error);
        Assert.Equal(2, code);
        Assert.Contains("--no-such-option", error.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<ListenerProtocol> Protocols => [ListenerProtocol.Auto, ListenerProtocol.Gb32960, ListenerProtocol.Hj1239, ListenerProtocol.Gb17691];

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Every_line_for_every_vector_matches_the_shipped_schema(ListenerProtocol protocol)
    {
        var rows = Rows.Select(r => r.Split('\t')).ToArray();
        var lines = Run(protocol, false, true, rows.Where(f => f[6] != "stream").Select(f => f[7]).ToArray())
            .Concat(Run(protocol, true, true, rows.Where(f => f[6] == "stream").Select(f => f[7]).ToArray()))
            .ToList();

        Assert.True(lines.Count > 60);
        Assert.All(lines, AssertMatchesSchema);
    }

    [Fact]
    public void The_schema_rejects_the_old_per_protocol_spellings_and_numbers_for_sentinels()
    {
        var line = Run(ListenerProtocol.Auto, false, false, Hex("2. realtime"))[0].GetRawText();
        AssertMatchesSchema(JsonDocument.Parse(line).RootElement);

        foreach (var bad in new[]
        {
            line.Replace("\"type_hex\"", "\"type_code\""),
            line.Replace("\"position_valid\"", "\"fix_valid\""),
            line.Replace("\"command\":\"realtime\"", "\"command\":\"0x02\""),
            line.Replace("+08:00", "+00:00"),
            line.Replace("\"max_voltage_subsystem\":1", "\"max_voltage_subsystem\":\"255\""),
        })
        {
            Assert.NotEqual(line, bad);
            var result = s_schema.Value.Evaluate(JsonDocument.Parse(bad).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Flag });
            Assert.False(result.IsValid, bad[..200]);
        }
    }

    [Fact]
    public void Times_print_a_plain_plus_and_gb_and_hj_use_the_same_names()
    {
        var text = RawOutput(ListenerProtocol.Auto, false, Hex("35. data_2016"), Hex("quant_trade_Split_test.md", "1. GB17691 realtime"));

        Assert.Contains("+08:00", text);
        Assert.DoesNotContain("\\u002B", text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal("gb32960", lines[0].GetProperty("protocol").GetString());
        Assert.Equal("gb17691", lines[1].GetProperty("protocol").GetString());
        Assert.All(lines, l => Assert.Equal("realtime", l.GetProperty("command").GetString()));
        Assert.All(lines, l => Assert.True(l.GetProperty("items")[0].TryGetProperty("type_hex", out _)));
    }

    [Fact]
    public void An_undecodable_frame_names_its_command_and_keeps_the_hex_in_command_hex()
    {
        // tiza 2019 draft layout: header and check byte sound, data unit refused (unsupported_layout).
        var line = Assert.Single(Run(ListenerProtocol.Auto, false, false, Rows.Select(r => r.Split('\t')).First(f => f[0].Contains("tiza")) [7]));

        Assert.Equal("unsupported_layout", line.GetProperty("error").GetString());
        Assert.Equal("realtime", line.GetProperty("command").GetString());
        Assert.Equal("0x02", line.GetProperty("command_hex").GetString());
        Assert.Equal("gb17691_or_hj1239", line.GetProperty("protocol").GetString());
    }

    [Fact]
    public void Wrong_arguments_exit_with_2_as_the_readme_says()
    {
        var error = Console.Error;
        try
        {
            Console.SetError(TextWriter.Null);
            Assert.Equal(2, IngestCommandLine.RunAsync(["decode", "--no-such-option"]).GetAwaiter().GetResult());
            Assert.Equal(2, IngestCommandLine.RunAsync(["decode", "--protocol", "nonsense", "--hex", "00"]).GetAwaiter().GetResult());
            Assert.Equal(2, IngestCommandLine.RunAsync(["decode", "--hex", "XYZ"]).GetAwaiter().GetResult());
        }
        finally
        {
            Console.SetError(error);
        }
    }

    [Fact]
    public void The_user_item_layout_is_an_option_of_the_tool_and_reject_restores_the_old_error()
    {
        // The real Annex Q frame with a user-defined 0x81 item (serial, WORD length, 3 bytes) after its OBD item.
        var real = Convert.FromHexString(Hex("quant_trade_Split_test.md", "1. GB17691 realtime"));
        Assert.True(Ingest.Protocol.Hj1239.Hj1239Decoder.TryDecode(real, Ingest.Protocol.Hj1239.Hj1239Layout.AnnexQ, out var frame, out _));
        var body = (Ingest.Protocol.Hj1239.Hj1239DataBody)frame.Body;
        var user = Ingest.Protocol.Hj1239.Hj1239InfoItem.AnnexQ(9, new UserDefinedData(0x81, Hj1239UserItemLayout.LengthPrefixed, new byte[] { 1, 2, 3 }));
        var bytes = Ingest.Protocol.Hj1239.Hj1239Encoder.Encode(Ingest.Protocol.Hj1239.Hj1239Frame.Create(frame.Command, frame.Vin,
            frame.Header.SoftwareVersion, frame.Layout, new Ingest.Protocol.Hj1239.Hj1239DataBody(false, body.Time, null, [body.Items[0], user, body.Items[1]])));

        using var kept = new MemoryStream();
        using var rejected = new MemoryStream();
        new FrameDecoder(ListenerProtocol.Gb17691).DecodeItems([bytes], kept, verifyRoundTrip: true);
        new FrameDecoder(ListenerProtocol.Gb17691, Hj1239UserItemLayout.Reject).DecodeItems([bytes], rejected, verifyRoundTrip: false);

        var line = JsonDocument.Parse(kept.ToArray()).RootElement;
        AssertMatchesSchema(line);
        Assert.Equal(["obd", "user_defined", "diesel_data_stream"], line.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("010203", line.GetProperty("items")[1].GetProperty("data_hex").GetString());
        Assert.Equal("identical", line.GetProperty("roundtrip").GetString());
        Assert.Equal("unknown_info_type", JsonDocument.Parse(rejected.ToArray()).RootElement.GetProperty("error").GetString());
    }
}
