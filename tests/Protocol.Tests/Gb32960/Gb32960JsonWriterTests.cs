using System.Text.Json;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.InfoUnits;
using Protocol.Tests.Support;

namespace Protocol.Tests.Gb32960;

public class Gb32960JsonWriterTests
{
    private static JsonElement Json(Gb32960Frame frame)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Gb32960JsonWriter.Write(writer, frame);
        }
        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    private static JsonElement Json(string file, string title)
    {
        Gb32960Decoder.TryDecode(GbVectors.Bytes(file, title), out var frame, out _);
        return Json(frame!);
    }

    public static TheoryData<Vector> Decodable => GbVectors.Theory("decode", "lenient");

    [Theory]
    [MemberData(nameof(Decodable))]
    public void Every_decodable_frame_writes_one_json_object_with_the_header_fields(Vector v)
    {
        var json = Json(v.File, v.Title);
        Assert.Equal(JsonValueKind.Object, json.ValueKind);
        Assert.Equal("gb32960", json.GetProperty("protocol").GetString());
        Assert.Equal(v.Bytes[0] == 0x24 ? "2025" : "2016", json.GetProperty("edition").GetString());
        Assert.Equal($"0x{v.Bytes[2]:X2}", json.GetProperty("command_hex").GetString());
        Assert.True(json.TryGetProperty("command", out _));
        Assert.True(json.TryGetProperty("reply_flag", out _));
        Assert.True(json.TryGetProperty("vin", out _));
        Assert.True(json.TryGetProperty("body", out _));
    }

    [Fact]
    public void Realtime_items_carry_engineering_units_in_their_names()
    {
        var json = Json("node_protocol_test.md", "2. realtime");
        Assert.Equal("realtime", json.GetProperty("command").GetString());
        Assert.Equal("command", json.GetProperty("reply_flag").GetString());
        Assert.Equal("ERR08030000000000", json.GetProperty("vin").GetString());
        Assert.Equal("2018-06-23T12:05:02+08:00", json.GetProperty("time").GetString());
        var items = json.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(8, items.Count);
        var vehicle = items[0];
        Assert.Equal("vehicle_data", vehicle.GetProperty("type").GetString());
        Assert.Equal(5, vehicle.GetProperty("speed_kmh").GetDouble());
        Assert.Equal(57.3, vehicle.GetProperty("odometer_km").GetDouble());
        Assert.Equal(700, vehicle.GetProperty("total_voltage_v").GetDouble());
        Assert.Equal(500, vehicle.GetProperty("total_current_a").GetDouble());
        Assert.Equal(50, vehicle.GetProperty("soc_percent").GetDouble());
        Assert.Equal("started", vehicle.GetProperty("vehicle_state").GetString());
        Assert.Equal(120.009633, items[2].GetProperty("longitude_deg").GetDouble());
        Assert.Equal("0x80", items[7].GetProperty("type_hex").GetString());
        Assert.Equal(96, items[7].GetProperty("data_hex").GetString()!.Length);
        Assert.True(items[2].GetProperty("position_valid").GetBoolean());
    }

    /// <summary>The real 2016 frame node_protocol_test 2. (items 01 02 05 06 07 08 09 80) with one item's body bytes changed.</summary>
    private static JsonElement Patched(Gb32960InfoKind kind, Action<byte[], int> patch)
    {
        var bytes = GbVectors.Bytes("node_protocol_test.md", "2. realtime");
        var walker = new Gb32960InfoWalker(bytes.AsSpan(24, bytes.Length - 25), Gb32960Edition.V2016);
        int bodyAt = -1;
        while (walker.TryReadNext(out var item))
        {
            if (item.Kind == kind)
            {
                bodyAt = 24 + item.Offset + 1;
            }
        }
        Assert.True(bodyAt > 0);
        patch(bytes, bodyAt);
        Ingest.Protocol.Framing.FrameEncoding.Seal(bytes);
        Assert.True(Gb32960Decoder.TryDecode(bytes, out var frame, out var error), error.ToString());
        Assert.Equal(bytes, Gb32960Encoder.Encode(frame));
        var json = Json(frame);
        return json.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("type").GetString() == Gb32960InfoType.Name(kind));
    }

    [Theory]
    [InlineData(0xFFFFFFFFu, "invalid")]
    [InlineData(0xFFFFFFFEu, "abnormal")]
    public void General_alarm_flags_holding_the_dword_sentinel_are_a_status_not_32_alarms(uint flags, string expected)
    {
        var alarms = Patched(Gb32960InfoKind.Alarms, (b, at) => System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at + 1), flags));

        Assert.Equal(expected, alarms.GetProperty("general_alarms").GetString());
    }

    [Fact]
    public void A_2016_frame_gets_2016_names_and_bits_the_2016_edition_reserves_stay_unnamed()
    {
        var alarms = Patched(Gb32960InfoKind.Alarms, (b, at) =>
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at + 1), (1u << 18) | (1u << 19) | (1u << 27)));

        Assert.Equal(["energy_storage_over_charge", "reserved_bit_19", "reserved_bit_27"],
            alarms.GetProperty("general_alarms").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("motor_over_speed", Ingest.Protocol.Gb32960.InfoUnits.Alarms.GeneralFlagName(Gb32960Edition.V2025, 19));
        Assert.Equal("fuel_cell_stack_over_temperature", Ingest.Protocol.Gb32960.InfoUnits.Alarms.GeneralFlagName(Gb32960Edition.V2025, 27));
        Assert.Null(Ingest.Protocol.Gb32960.InfoUnits.Alarms.GeneralFlagName(Gb32960Edition.V2025, 28));
    }

    [Fact]
    public void Extreme_value_subsystem_cell_and_probe_numbers_holding_sentinels_are_statuses()
    {
        var extremes = Patched(Gb32960InfoKind.Extremes, (b, at) =>
        {
            b[at] = 0xFF;          // max-voltage subsystem
            b[at + 1] = 0xFE;      // max-voltage cell
            b[at + 9] = 0xFF;      // max-temperature probe
            b[at + 11] = 0xFE;     // min-temperature subsystem
        });

        Assert.Equal("invalid", extremes.GetProperty("max_voltage_subsystem").GetString());
        Assert.Equal("abnormal", extremes.GetProperty("max_voltage_cell").GetString());
        Assert.Equal("invalid", extremes.GetProperty("max_temperature_probe").GetString());
        Assert.Equal("abnormal", extremes.GetProperty("min_temperature_subsystem").GetString());
        Assert.Equal(1, extremes.GetProperty("min_voltage_subsystem").GetInt32());
    }

    [Fact]
    public void Pack_motor_and_probe_numbers_total_cells_and_start_index_holding_sentinels_are_statuses()
    {
        var cells = Patched(Gb32960InfoKind.CellVoltages, (b, at) =>
        {
            b[at + 1] = 0xFF;                 // pack number
            b[at + 6] = 0xFF; b[at + 7] = 0xFF; // total cells
            b[at + 8] = 0xFF; b[at + 9] = 0xFE; // start index
        }).GetProperty("packs")[0];
        var motor = Patched(Gb32960InfoKind.DriveMotors, (b, at) => b[at + 1] = 0xFE).GetProperty("motors")[0];
        var probes = Patched(Gb32960InfoKind.ProbeTemperatures, (b, at) => b[at + 1] = 0xFF).GetProperty("packs")[0];

        Assert.Equal("invalid", cells.GetProperty("number").GetString());
        Assert.Equal("invalid", cells.GetProperty("total_cells").GetString());
        Assert.Equal("abnormal", cells.GetProperty("start_index").GetString());
        Assert.Equal("abnormal", motor.GetProperty("number").GetString());
        Assert.Equal("invalid", probes.GetProperty("number").GetString());
    }

    [Fact]
    public void Sentinels_are_written_as_strings()
    {
        var vehicle = Json("rtm_con.md", "5. data2016 with only whole").GetProperty("items")[0];
        Assert.Equal("invalid", vehicle.GetProperty("speed_kmh").GetString());
        Assert.Equal("invalid", vehicle.GetProperty("vehicle_state").GetString());
        var motor = Json("rtm_con.md", "6. data2016 with only e-motor").GetProperty("items")[0].GetProperty("motors")[1];
        Assert.Equal("abnormal", motor.GetProperty("controller_temperature_c").GetString());
    }

    [Fact]
    public void Signature_and_2025_fields_are_written()
    {
        var json = Json("rtm_con.md", "36. data_2025");
        Assert.Equal("rsa", json.GetProperty("signature").GetProperty("algorithm").GetString());
        Assert.Equal(512, json.GetProperty("signature").GetProperty("r_hex").GetString()!.Length);
        Assert.Equal("realtime", json.GetProperty("body").GetString());
        var items = json.GetProperty("items");
        Assert.Equal(2.2, items[0].GetProperty("total_current_a").GetDouble());
        Assert.Equal("gcj02", items[2].GetProperty("coordinate_system").GetString());
        Assert.Equal(3.957, items[4].GetProperty("packs")[0].GetProperty("cell_voltages_v")[0].GetDouble());
    }

    [Fact]
    public void Platform_login_never_prints_the_password()
    {
        var json = Json("rtm_con.md", "23. plt_login2016");
        Assert.Equal("HAUV4BGN6S50", json.GetProperty("username").GetString());
        Assert.Equal("***", json.GetProperty("password").GetString());
        Assert.DoesNotContain("HAUV4BGN6S5002219HAU", json.GetRawText());
    }

    [Fact]
    public void Random_frames_always_write_valid_json()
    {
        CsCheck.Check.Sample(Gb32960Generators.AnyFrame, frame => Assert.Equal(JsonValueKind.Object, Json(frame).ValueKind), iter: 500);
    }
}
