using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Protocol.Tests.Support;
using static Protocol.Tests.Hj1239.Hj1239Samples;

namespace Protocol.Tests.Hj1239;

/// <summary>
/// Issue 10 item 2: items of reserved (0x06-0x7F) and user-defined (0x81-0xFE) info types are kept raw instead of
/// rejecting the whole frame, so the frame's OBD and data-stream items survive.
/// </summary>
public class Hj1239UserItemTests
{
    /// <summary>The real Annex Q frame (quant_trade 1.: OBD + diesel) with a user-defined 0x81 item between its items.</summary>
    private static byte[] AnnexQWithUserItem(out Hj1239DataBody original)
    {
        Assert.True(Hj1239Decoder.TryDecode(VectorCatalog.Find("quant_trade_Split_test.md", "1.").Bytes, Hj1239Layout.AnnexQ, out var real, out _));
        original = Assert.IsType<Hj1239DataBody>(real.Body);
        var user = Hj1239InfoItem.AnnexQ(7, new UserDefinedData(0x81, Hj1239UserItemLayout.LengthPrefixed, new byte[] { 0x11, 0x22, 0x33 }));
        var body = new Hj1239DataBody(false, original.Time, null, [original.Items[0], user, original.Items[1]]);
        return Hj1239Encoder.Encode(Hj1239Frame.Create(real.Command, real.Vin, real.Header.SoftwareVersion, Hj1239Layout.AnnexQ, body));
    }

    [Fact]
    public void A_user_defined_item_is_kept_raw_and_every_standard_item_of_the_frame_still_decodes()
    {
        var bytes = AnnexQWithUserItem(out var original);

        Assert.True(Hj1239Decoder.TryDecode(bytes, Hj1239Layout.Auto, out var frame, out var error), error.ToString());

        Assert.Equal(Hj1239Layout.AnnexQ, frame.Layout);
        var items = Assert.IsType<Hj1239DataBody>(frame.Body).Items;
        Assert.Equal(3, items.Count);
        Assert.IsType<ObdInfo>(items[0].Unit);
        var user = Assert.IsType<UserDefinedData>(items[1].Unit);
        Assert.Equal(0x81, user.InfoType);
        Assert.Equal((ushort)7, items[1].Serial);
        Assert.Equal(new byte[] { 0x11, 0x22, 0x33 }, user.Data.ToArray());
        Assert.Equal("user_defined", user.Category);
        var diesel = Assert.IsType<DieselDataStream>(items[2].Unit);
        Assert.Equal(((DieselDataStream)original.Items[1].Unit).EngineSpeedRaw, diesel.EngineSpeedRaw);
        Assert.Equal(bytes, Hj1239Encoder.Encode(frame));
    }

    [Fact]
    public void The_walker_reports_a_user_defined_item_with_its_raw_data_between_the_standard_items()
    {
        var bytes = AnnexQWithUserItem(out _);
        var walker = new Hj1239ItemWalker(bytes.AsSpan(FrameHeader.Size, bytes.Length - FrameHeader.Overhead), Hj1239Layout.AnnexQ);

        var seen = new List<(byte Type, bool User, string Data)>();
        while (walker.TryReadNext(out var item))
        {
            seen.Add((item.Type, item.IsUserDefined, Convert.ToHexString(item.UserData)));
        }

        Assert.True(walker.Completed);
        Assert.Equal([(0x01, false, ""), (0x81, true, "112233"), (0x02, false, "")], seen);
    }

    [Fact]
    public void A_listener_set_to_reject_gets_the_old_unknown_info_type_error()
    {
        var bytes = AnnexQWithUserItem(out _);
        var options = new Hj1239DecoderOptions { Layout = Hj1239Layout.AnnexQ, UserItems = Hj1239UserItemLayout.Reject };

        Assert.False(Hj1239Decoder.TryDecode(bytes, options, out _, out var error));
        Assert.Equal(DecodeErrorKind.UnknownInfoType, error.Kind);
    }

    [Fact]
    public void A_signed_hj_frame_keeps_a_reserved_item_and_its_signature()
    {
        var every = (Hj1239DataBody)HjEveryType().Body;
        var reserved = Hj1239InfoItem.Hj1239(Second(26), new UserDefinedData(0x40, Hj1239UserItemLayout.LengthPrefixed, new byte[40]));
        var frame = Hj1239Frame.Create(Hj1239Command.Realtime, TestVin, 6, Hj1239Layout.Hj1239,
            new Hj1239DataBody(false, every.Time, every.Serial, [.. every.Items, reserved], every.Signature));
        var bytes = Hj1239Encoder.Encode(frame);

        Assert.True(Hj1239Decoder.TryDecode(bytes, Hj1239Layout.Auto, out var decoded, out var error), error.ToString());

        Assert.Equal(Hj1239Layout.Hj1239, decoded.Layout);
        var body = Assert.IsType<Hj1239DataBody>(decoded.Body);
        Assert.Equal(7, body.Items.Count);
        Assert.Equal("reserved", Assert.IsType<UserDefinedData>(body.Items[6].Unit).Category);
        Assert.Equal(every.Signature!.R.ToArray(), body.Signature!.R.ToArray());
        Assert.Equal(bytes, Hj1239Encoder.Encode(decoded));
    }

    [Fact]
    public void A_fleet_whose_custom_item_runs_to_the_end_keeps_it_whole_before_the_signature()
    {
        // A Shanghai-style 0x81 smoke stream of a fixed length this codec does not know: no length prefix.
        var every = (Hj1239DataBody)HjEveryType().Body;
        var smoke = Hj1239InfoItem.Hj1239(Second(27), new UserDefinedData(0x81, Hj1239UserItemLayout.RestOfItems, new byte[] { 1, 2, 3, 4, 5, 6, 7 }));
        var bytes = Hj1239Encoder.Encode(Hj1239Frame.Create(Hj1239Command.Realtime, TestVin, 6, Hj1239Layout.Hj1239,
            new Hj1239DataBody(false, every.Time, every.Serial, [every.Items[1], smoke], every.Signature)));
        var options = new Hj1239DecoderOptions { UserItems = Hj1239UserItemLayout.RestOfItems };

        Assert.True(Hj1239Decoder.TryDecode(bytes, options, out var decoded, out var error), error.ToString());

        var body = Assert.IsType<Hj1239DataBody>(decoded.Body);
        Assert.IsType<DieselDataStream>(body.Items[0].Unit);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7 }, Assert.IsType<UserDefinedData>(body.Items[1].Unit).Data.ToArray());
        Assert.NotNull(body.Signature);
        Assert.Equal(bytes, Hj1239Encoder.Encode(decoded));
    }

    [Fact]
    public void Every_real_hj_vector_decodes_the_same_with_user_items_kept_or_rejected()
    {
        foreach (var v in VectorCatalog.WithExpect("decode", "lenient").Where(v => v.Bytes[3] is >= (byte)'0' and <= (byte)'Z'))
        {
            bool strict = Hj1239Decoder.TryDecode(v.Bytes, new Hj1239DecoderOptions { UserItems = Hj1239UserItemLayout.Reject }, out var a, out _);
            Assert.True(Hj1239Decoder.TryDecode(v.Bytes, Hj1239DecoderOptions.Default, out var b, out _), v.ToString());
            Assert.True(strict, v.ToString());
            Assert.Equal(a!.Layout, b.Layout);
            Assert.Equal(v.Bytes, Hj1239Encoder.Encode(b));
        }
    }
}
