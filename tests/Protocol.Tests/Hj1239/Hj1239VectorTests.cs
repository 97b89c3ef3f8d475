using Ingest.Protocol.Errors;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;
using Protocol.Tests.Support;

namespace Protocol.Tests.Hj1239;

public class Hj1239VectorTests
{
    public static TheoryData<Vector> Decodable => Hj1239Samples.Theory("decode", "lenient");

    public static TheoryData<Vector> Rejected => Hj1239Samples.Theory("reject");

    [Fact]
    public void The_catalogue_holds_the_expected_hj_vectors()
    {
        Assert.Equal(4, Hj1239Samples.HjVectors("decode").Count());
        Assert.Single(Hj1239Samples.HjVectors("reject"));
    }

    [Theory]
    [MemberData(nameof(Decodable))]
    public void Real_frame_decodes_and_reencodes_byte_identically(Vector v)
    {
        foreach (var layout in new[] { Hj1239Layout.Auto, Hj1239Layout.AnnexQ })
        {
            Assert.True(Hj1239Decoder.TryDecode(v.Bytes, layout, out var frame, out var error), $"{layout}: {error}");
            Assert.Equal(v.Bytes, Hj1239Encoder.Encode(frame));
            Assert.NotEqual(Hj1239Layout.Hj1239, frame.Layout);
        }
    }

    [Theory]
    [MemberData(nameof(Decodable))]
    public void Real_frame_split_across_pipe_segments_decodes_the_same(Vector v)
    {
        foreach (int segment in new[] { 1, 2, 3, 7, 64 })
        {
            Assert.True(Hj1239Decoder.TryDecode(Segments.Split(v.Bytes, segment), Hj1239Layout.Auto, out var frame, out var error),
                $"{segment}: {error}");
            Assert.Equal(v.Bytes, Hj1239Encoder.Encode(frame));
        }
    }

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Rejected_frame_gives_a_typed_error_in_every_layout(Vector v)
    {
        foreach (var layout in new[] { Hj1239Layout.Auto, Hj1239Layout.AnnexQ, Hj1239Layout.Hj1239 })
        {
            Assert.False(Hj1239Decoder.TryDecode(v.Bytes, layout, out var frame, out var error));
            Assert.Null(frame);
            Assert.Equal(DecodeErrorKind.UnsupportedLayout, error.Kind);
        }
    }

    [Fact]
    public void Draft_2019_frame_is_rejected_at_its_first_per_item_signature()
    {
        var v = VectorCatalog.Find("tiza_sih_TestMain.md", "1.");

        Hj1239Decoder.TryDecode(v.Bytes, Hj1239Layout.Auto, out _, out var error);

        // time(6) + serial(2) + type(1) + OBD body(96) = 105 bytes into the data unit, which starts at 24.
        Assert.Equal(24 + 105, error.Offset);
        Assert.Equal(0x20, v.Bytes[error.Offset]);
    }

    [Fact]
    public void Annex_q_obd_only_realtime_carries_its_fields()
    {
        var frame = Decode("boyunshikong_python_out.md", "1.");

        Assert.Equal("LCIAMMBE4G0004671", frame.Vin.ToString());
        Assert.Equal(Hj1239Layout.AnnexQ, frame.Layout);
        Assert.Equal(Hj1239Command.Realtime, frame.Command);
        Assert.Equal(0x02, frame.Header.SoftwareVersion);
        Assert.Equal(0x01, frame.Header.Encryption);
        var report = Assert.IsType<Hj1239DataBody>(frame.Body);
        Assert.False(report.IsReissue);
        Assert.Null(report.Serial);
        Assert.Null(report.Signature);
        Assert.Equal(At(2020, 5, 29, 13, 52, 30), report.Time.ToDateTimeOffset());
        var item = Assert.Single(report.Items);
        Assert.Equal((ushort)1, item.Serial);
        Assert.Null(item.CollectionTime);
        var obd = Assert.IsType<ObdInfo>(item.Unit);
        Assert.Equal(ObdProtocol.Iso15765, obd.Protocol);
        Assert.False(obd.MilOn);
        Assert.Equal(ObdMonitors.None, obd.DiagnosticSupport);
        Assert.Equal(ObdMonitors.None, obd.DiagnosticReadiness);
        Assert.Equal("LCIAMMBE4G0004671", obd.Vin.ToString());
        Assert.Equal("000000000000000000", obd.CalibrationId);
        Assert.Equal("303030303030303030303030303030303030", Convert.ToHexString(obd.CvnBytes.Span));
        Assert.Equal(0, obd.DtcCount);
        Assert.True(obd.Dtcs.IsEmpty);
    }

    [Fact]
    public void Annex_q_logout_carries_time_and_serial()
    {
        var frame = Decode("boyunshikong_python_out.md", "2.");

        Assert.Equal("LG6ZDANH7EY208182", frame.Vin.ToString());
        var logout = Assert.IsType<Hj1239LogoutBody>(frame.Body);
        Assert.Equal(At(2020, 9, 17, 19, 46, 52), logout.Time.ToDateTimeOffset());
        Assert.Equal((ushort)26, logout.Serial);
        Assert.Equal(Hj1239Layout.Auto, frame.Layout);
    }

    [Fact]
    public void Annex_q_login_carries_time_serial_and_iccid()
    {
        var frame = Decode("gb17691_login_bcc_script.md", "1.");

        Assert.Equal("LGDCH91G8KA141269", frame.Vin.ToString());
        Assert.Equal(0x01, frame.Header.SoftwareVersion);
        var login = Assert.IsType<Hj1239LoginBody>(frame.Body);
        Assert.Equal(At(2020, 1, 8, 14, 8, 6), login.Time.ToDateTimeOffset());
        Assert.Equal((ushort)3, login.Serial);
        Assert.Equal("89861119222035507877", login.Iccid);
    }

    [Fact]
    public void Annex_q_obd_and_diesel_realtime_carries_engine_values()
    {
        var frame = Decode("quant_trade_Split_test.md", "1.");

        Assert.Equal("LEWPCA000JF260134", frame.Vin.ToString());
        var report = Assert.IsType<Hj1239DataBody>(frame.Body);
        Assert.Equal(At(2020, 6, 11, 16, 19, 24), report.Time.ToDateTimeOffset());
        Assert.Equal(2, report.Items.Count);

        Assert.Equal((ushort)50358, report.Items[0].Serial);
        var obd = Assert.IsType<ObdInfo>(report.Items[0].Unit);
        Assert.Equal((ObdMonitors)0x7521, obd.DiagnosticSupport);
        Assert.Equal((ObdMonitors)0x8BA6, obd.DiagnosticReadiness);
        Assert.Equal("LEWPCA000JF260134", obd.Vin.ToString());
        Assert.Equal("111111111111111111", obd.CalibrationId);

        Assert.Equal((ushort)24450, report.Items[1].Serial);
        var d = Assert.IsType<DieselDataStream>(report.Items[1].Unit);
        Assert.Equal(137.05859375, d.VehicleSpeedKmh.Value);
        Assert.Equal(54.5, d.BarometricPressureKpa.Value);
        Assert.Equal(-3, d.EngineNetTorquePercent.Value);
        Assert.Equal(13, d.FrictionTorquePercent.Value);
        Assert.Equal(4327.125, d.EngineSpeedRpm.Value);
        Assert.Equal(0.05, d.FuelFlowLph.Value);
        Assert.Equal(-199.9, d.ScrUpstreamNoxPpm.Value);
        Assert.Equal(3.0, d.ScrDownstreamNoxPpm.Value);
        Assert.Equal(70.0, d.ReagentRemainingPercent.Value);
        Assert.Equal(3.0, d.IntakeAirFlowKgph.Value);
        Assert.Equal(1.0, d.ScrInletTemperatureC.Value);
        Assert.Equal(300.0, d.ScrOutletTemperatureC.Value);
        Assert.Equal(2265.8, d.DpfDifferentialPressureKpa.Value);
        Assert.Equal(6, d.CoolantTemperatureC.Value);
        Assert.Equal(45.2, d.FuelLevelPercent.Value);
        Assert.True(d.Position.IsFixValid);
        Assert.Equal(99.391613, d.Position.LongitudeDeg.Value);
        Assert.Equal(33.947862, d.Position.LatitudeDeg.Value);
        Assert.Equal(240812918.6, d.OdometerKm.Value);
    }

    [Fact]
    public void Frames_recovered_from_the_sticky_stream_decode_to_the_same_report()
    {
        var stream = VectorCatalog.All.Single(v => v.File == "quant_trade_Split_test.md" && v.Expect == "stream");
        var single = VectorCatalog.Find("quant_trade_Split_test.md", "1.").Bytes;

        var tally = ScanTally.Run(stream.Bytes);

        Assert.Equal(2, tally.Frames.Count);
        foreach (var bytes in tally.Frames)
        {
            Assert.True(Hj1239Decoder.TryDecode(bytes, Hj1239Layout.Auto, out var frame, out _));
            Assert.Equal(single, Hj1239Encoder.Encode(frame));
        }
    }

    [Theory]
    [MemberData(nameof(Decodable))]
    public void Every_prefix_of_a_real_frame_is_a_typed_error(Vector v)
    {
        var bytes = v.Bytes;
        for (int n = 0; n < bytes.Length; n++)
        {
            Assert.False(Hj1239Decoder.TryDecode(bytes.AsSpan(0, n), Hj1239Layout.Auto, out _, out var error));
            Assert.Contains(error.Kind, new[] { DecodeErrorKind.Truncated, DecodeErrorKind.Checksum, DecodeErrorKind.Length });
        }
    }

    private static Hj1239Frame Decode(string file, string title)
    {
        var bytes = VectorCatalog.Find(file, title).Bytes;
        Assert.True(Hj1239Decoder.TryDecode(bytes, Hj1239Layout.Auto, out var frame, out var error), error.ToString());
        return frame;
    }

    private static DateTimeOffset At(int y, int mo, int d, int h, int mi, int s) => new(y, mo, d, h, mi, s, GbTime.Offset);
}
