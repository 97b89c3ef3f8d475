using System.Text.Json;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;
using Protocol.Tests.Support;
using static Protocol.Tests.Hj1239.Hj1239Samples;

namespace Protocol.Tests.Hj1239;

public class Hj1239JsonWriterTests
{
    [Fact]
    public void Annex_q_realtime_is_one_object_with_units_in_the_names()
    {
        var json = Json(Decode(VectorCatalog.Find("quant_trade_Split_test.md", "1.").Bytes, Hj1239Layout.Auto));
        var root = json.RootElement;

        Assert.Equal("gb17691", root.GetProperty("protocol").GetString());
        Assert.Equal("realtime", root.GetProperty("command").GetString());
        Assert.Equal("0x02", root.GetProperty("command_hex").GetString());
        Assert.Equal("LEWPCA000JF260134", root.GetProperty("vin").GetString());
        Assert.Equal(1, root.GetProperty("software_version").GetInt32());
        Assert.Equal("none", root.GetProperty("encryption").GetString());
        Assert.Equal("2020-06-11T16:19:24+08:00", root.GetProperty("collection_time").GetString());
        var items = root.GetProperty("items");
        Assert.Equal(2, items.GetArrayLength());
        var obd = items[0];
        Assert.Equal("obd", obd.GetProperty("type").GetString());
        Assert.Equal(50358, obd.GetProperty("info_serial").GetInt32());
        Assert.Equal("iso_15765", obd.GetProperty("obd_protocol").GetString());
        Assert.Equal("off", obd.GetProperty("mil").GetString());
        Assert.Equal("0x7521", obd.GetProperty("diagnostic_support_hex").GetString());
        Assert.Equal("0x01", obd.GetProperty("type_hex").GetString());
        Assert.Equal("annex_q", root.GetProperty("layout").GetString());
        Assert.Equal(18, obd.GetProperty("iupr").GetArrayLength());
        var diesel = items[1];
        Assert.Equal("diesel_data_stream", diesel.GetProperty("type").GetString());
        Assert.Equal(137.05859375, diesel.GetProperty("vehicle_speed_kmh").GetDouble());
        Assert.Equal(4327.125, diesel.GetProperty("engine_speed_rpm").GetDouble());
        Assert.Equal(-199.9, diesel.GetProperty("scr_upstream_nox_ppm").GetDouble());
        Assert.Equal(99.391613, diesel.GetProperty("longitude_deg").GetDouble());
        Assert.Equal("240812918.6", diesel.GetProperty("odometer_km").GetRawText());
    }

    [Fact]
    public void Sentinels_are_words_and_hj_frames_name_their_protocol_and_signature()
    {
        var root = Json(Decode(Hj1239Encoder.Encode(HjEveryType()), Hj1239Layout.Hj1239)).RootElement;

        Assert.Equal("hj1239", root.GetProperty("protocol").GetString());
        Assert.Equal("2024-05-14T18:18:30+08:00", root.GetProperty("send_time").GetString());
        Assert.Equal(7, root.GetProperty("info_serial").GetInt32());
        var diesel = root.GetProperty("items")[1];
        Assert.Equal("2024-05-14T18:18:21+08:00", diesel.GetProperty("collection_time").GetString());
        Assert.Equal("abnormal", diesel.GetProperty("scr_outlet_temperature_c").GetString());
        Assert.Equal("invalid", diesel.GetProperty("fuel_level_percent").GetString());
        Assert.Equal(Convert.ToHexString(Signature().R.Span), root.GetProperty("signature").GetProperty("r_hex").GetString());
        Assert.Equal("0x02", diesel.GetProperty("type_hex").GetString());
        Assert.Equal("realtime", root.GetProperty("body").GetString());
        var obd = root.GetProperty("items")[0];
        Assert.Equal(["0x00012345", "0x0000ABCD"], obd.GetProperty("dtcs").EnumerateArray().Select(e => e.GetString()));
        // 0x80 total urea used: 1 g per bit (issue 10 item 1), named by its unit.
        var supplementary = root.GetProperty("items")[5];
        Assert.Equal(4000, supplementary.GetProperty("total_urea_used_g").GetDouble());
        Assert.False(supplementary.TryGetProperty("total_urea_used_l", out _));
        Assert.Equal(["catalyst", "dpf", "scr_nox_adsorber"],
            obd.GetProperty("monitors_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Invalid_time_is_a_word_with_the_raw_bytes_beside_it()
    {
        var frame = Hj1239Frame.Create(Hj1239Command.Logout, TestVin, 1, Hj1239Layout.Auto,
            new Hj1239LogoutBody(new GbTime(20, 13, 1, 0, 0, 0), 5));

        var root = Json(frame).RootElement;

        // A logout is the same in both layouts: not labelled hj1239 when nothing says which one it is.
        Assert.Equal("gb17691_or_hj1239", root.GetProperty("protocol").GetString());
        Assert.Equal("undetermined", root.GetProperty("layout").GetString());
        Assert.Equal("vehicle_logout", root.GetProperty("command").GetString());
        Assert.Equal("invalid", root.GetProperty("time").GetString());
        Assert.Equal("140D01000000", root.GetProperty("time_raw_hex").GetString());
    }

    [Theory]
    [MemberData(nameof(Hj1239CodecTests.ConstructedFrames), MemberType = typeof(Hj1239CodecTests))]
    public void Every_constructed_frame_writes_valid_json(string name)
    {
        var root = Json(ConstructedByName(name)).RootElement;

        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal("LEWPCA000JF260134", root.GetProperty("vin").GetString());
    }

    [Fact]
    public void Text_with_non_printable_bytes_is_kept_as_hex_never_shown_as_question_marks()
    {
        var iccid = "8986000000000000000"u8.ToArray().Append((byte)0x01).ToArray();
        var frame = Hj1239Frame.Create(Hj1239Command.Login, TestVin, 1, Hj1239Layout.Auto, new Hj1239LoginBody(T0, 1, iccid));

        var root = Json(frame).RootElement;

        Assert.False(root.TryGetProperty("iccid", out _));
        Assert.Equal(Convert.ToHexString(iccid), root.GetProperty("iccid_hex").GetString());
        Assert.DoesNotContain("?", root.GetRawText());
    }

    [Fact]
    public void A_user_defined_item_prints_its_type_code_and_raw_data()
    {
        var every = (Hj1239DataBody)HjEveryType().Body;
        var user = Hj1239InfoItem.Hj1239(Second(26), new Ingest.Protocol.Hj1239.InfoUnits.UserDefinedData(0x90,
            Ingest.Protocol.Hj1239.InfoUnits.Hj1239UserItemLayout.LengthPrefixed, new byte[] { 0xAB, 0xCD }));
        var frame = Hj1239Frame.Create(Hj1239Command.Realtime, TestVin, 6, Hj1239Layout.Hj1239,
            new Hj1239DataBody(false, every.Time, every.Serial, [every.Items[0], user], null));

        var item = Json(frame).RootElement.GetProperty("items")[1];

        Assert.Equal("user_defined", item.GetProperty("type").GetString());
        Assert.Equal("0x90", item.GetProperty("type_hex").GetString());
        Assert.Equal("length_prefixed", item.GetProperty("user_item_layout").GetString());
        Assert.Equal("ABCD", item.GetProperty("data_hex").GetString());
    }

    private static Hj1239Frame Decode(byte[] bytes, Hj1239Layout layout)
    {
        Assert.True(Hj1239Decoder.TryDecode(bytes, layout, out var frame, out var error), error.ToString());
        return frame;
    }

    private static JsonDocument Json(Hj1239Frame frame)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Hj1239JsonWriter.Write(writer, frame);
        }
        return JsonDocument.Parse(stream.ToArray());
    }
}
