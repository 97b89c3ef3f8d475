using System.Text.Json;
using Ingest.Hosting;
using Ingest.Tools;

namespace Ingest.Tests.Tools;

/// <summary>The engineers' decode tool: JSON Lines in input order, errors as objects, round-trip verification.</summary>
public class DecodeToolTests
{
    private static readonly string[] Rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Vectors", "vectors.tsv")).Skip(1).ToArray();

    private static string Hex(string titleStart) => Rows.Select(r => r.Split('\t')).Single(f => f[2].StartsWith(titleStart, StringComparison.Ordinal))[7];

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
}
