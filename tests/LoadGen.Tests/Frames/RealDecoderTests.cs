using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;
using LoadGen.Frames;

namespace LoadGen.Tests.Frames;

/// <summary>Every frame the fleet sends decodes without error with the product's own decoders.</summary>
public class RealDecoderTests
{
    private const string Vin = "LGDCH91G8KA141269";
    private static readonly DateTimeOffset At = new(2026, 3, 14, 9, 26, 53, TimeSpan.FromHours(8));

    public static TheoryData<TerminalProtocol, string, bool> HjFrames => new()
    {
        { TerminalProtocol.Hj1239, "02x10,80", true },
        { TerminalProtocol.Hj1239, "02x10,80", false },
        { TerminalProtocol.Hj1239, "01,02,03,04,05,80", true },
        { TerminalProtocol.Gb17691, "02x10", false },
        { TerminalProtocol.Gb17691, "01,02,03,04,05", false },
    };

    private static Hj1239Layout LayoutOf(TerminalProtocol protocol) =>
        protocol == TerminalProtocol.Hj1239 ? Hj1239Layout.Hj1239 : Hj1239Layout.AnnexQ;

    [Theory]
    [MemberData(nameof(HjFrames))]
    public void Hj_realtime_and_reissue_frames_decode_with_the_hj1239_decoder(TerminalProtocol protocol, string mix, bool signed)
    {
        var infoMix = InfoMix.Parse(mix);
        var frames = TerminalFrames.Build(protocol, Vin, new FrameShape { Mix = infoMix, Signed = signed }, seed: 11);

        foreach (byte command in new[] { Commands.Realtime, Commands.Reissue })
        {
            var collected = command == Commands.Reissue ? At.AddMinutes(-5) : At;
            frames.Data.Stamp(command, At, collected, 321);

            Assert.True(Hj1239Decoder.TryDecode(frames.Data.Span, LayoutOf(protocol), out var frame, out var error), error.ToString());
            var body = Assert.IsType<Hj1239DataBody>(frame.Body);
            Assert.Equal(command == Commands.Reissue, body.IsReissue);
            Assert.Equal(Vin, frame.Vin.ToString());
            Assert.Equal(infoMix.Items.SelectMany(i => Enumerable.Repeat(i.Type, i.Count)), body.Items.Select(i => i.InfoType));
            if (protocol == TerminalProtocol.Hj1239)
            {
                Assert.Equal(GbTime.FromDateTimeOffset(At), body.Time);
                Assert.Equal((ushort)321, body.Serial);
                Assert.Equal(GbTime.FromDateTimeOffset(collected), body.Items[^1].CollectionTime);
                Assert.Equal(signed, body.Signature is not null);
            }
            else
            {
                Assert.Equal(GbTime.FromDateTimeOffset(collected), body.Time);
                Assert.Equal(Enumerable.Range(321, body.Items.Count).Select(s => (ushort?)s), body.Items.Select(i => i.Serial));
            }
            Assert.Equal(frames.Data.Span.ToArray(), Hj1239Encoder.Encode(frame));
        }
    }

    [Theory]
    [InlineData(TerminalProtocol.Hj1239)]
    [InlineData(TerminalProtocol.Gb17691)]
    public void Hj_login_and_logout_decode_with_the_hj1239_decoder(TerminalProtocol protocol)
    {
        var frames = TerminalFrames.Build(protocol, Vin, new FrameShape(), seed: 5);
        frames.Login.Stamp(At, 9);
        frames.Logout.Stamp(At.AddHours(2), 9);

        Assert.True(Hj1239Decoder.TryDecode(frames.Login.Span, LayoutOf(protocol), out var login, out var error), error.ToString());
        var loginBody = Assert.IsType<Hj1239LoginBody>(login.Body);
        Assert.Equal((ushort)9, loginBody.Serial);
        Assert.Equal(GbTime.FromDateTimeOffset(At), loginBody.Time);

        Assert.True(Hj1239Decoder.TryDecode(frames.Logout.Span, LayoutOf(protocol), out var logout, out error), error.ToString());
        Assert.Equal((ushort)9, Assert.IsType<Hj1239LogoutBody>(logout.Body).Serial);
    }

    [Fact]
    public void Hj_realtime_layout_is_recognised_without_being_told()
    {
        var frames = TerminalFrames.Build(TerminalProtocol.Hj1239, Vin, new FrameShape(), seed: 5);
        frames.Data.Stamp(Commands.Realtime, At, At, 1);

        Assert.True(Hj1239Decoder.TryDecode(frames.Data.Span, Hj1239Layout.Auto, out var frame, out var error), error.ToString());
        Assert.Equal(Hj1239Layout.Hj1239, frame.Layout);
    }

    public static TheoryData<TerminalProtocol, string, int, bool> GbFrames => new()
    {
        { TerminalProtocol.Gb2016, "01,02,05,06,07,08,09", 96, true },
        { TerminalProtocol.Gb2016, "01,02,03,04,05,06,07,08,09,80", 384, true },
        { TerminalProtocol.Gb2016, "07x2,08", 12, true },
        { TerminalProtocol.Gb2025, "01,02,05,06,07,08", 96, true },
        { TerminalProtocol.Gb2025, "01,02,04,05,06,07,08,80", 500, true },
        { TerminalProtocol.Gb2025, "01,02,05,06,07,08", 96, false },
    };

    /// <summary>
    /// The check byte is patched for the bytes a stamp changes, not recomputed: after a run of stamps (times across
    /// day and year boundaries, serials wrapping, realtime and reissue) the frame must be exactly the bytes a fresh
    /// full seal gives, decode with the new collection time, and be unchanged outside the stamped fields.
    /// </summary>
    [Theory]
    [MemberData(nameof(GbFrames))]
    public void A_restamped_gb_frame_decodes_with_its_new_time_and_a_valid_check_and_nothing_else_moves(TerminalProtocol protocol, string mix, int cells, bool signed)
    {
        var frames = TerminalFrames.Build(protocol, "LZYTBGBW6J1014194", new FrameShape { Mix = InfoMix.Parse(mix), CellCount = cells, MotorCount = 2, Signed = signed }, seed: 4);
        var data = frames.Data;
        var original = data.Span.ToArray();
        var rng = new Random(7);
        var time = new DateTimeOffset(2026, 12, 31, 23, 59, 58, TimeSpan.FromHours(8));
        for (int i = 0; i < 50; i++)
        {
            time = time.AddSeconds(rng.Next(1, 90_000));
            byte command = i % 3 == 0 ? Commands.Reissue : Commands.Realtime;
            var collected = command == Commands.Reissue ? time.AddMinutes(-rng.Next(1, 600)) : time;

            data.Stamp(command, time, collected, rng.Next(1, 200_000));

            var resealed = data.Span.ToArray();
            FrameEncoding.Seal(resealed);
            Assert.Equal(resealed, data.Span.ToArray());
            Assert.True(Gb32960Decoder.TryDecode(data.Span, out var frame, out var error), error.ToString());
            var report = Assert.IsType<RealtimeReport>(frame.Body);
            Assert.Equal(command == Commands.Reissue, report.IsReissue);
            Assert.Equal(GbTime.FromDateTimeOffset(collected), report.Time);
            AssertUnchangedOutsideStampedFields(original, data);
        }
    }

    [Theory]
    [MemberData(nameof(HjFrames))]
    public void A_restamped_hj_frame_decodes_with_its_new_times_and_a_valid_check_and_nothing_else_moves(TerminalProtocol protocol, string mix, bool signed)
    {
        var frames = TerminalFrames.Build(protocol, "LZYTBGBW6J1014194", new FrameShape { Mix = InfoMix.Parse(mix), Signed = signed }, seed: 4);
        var data = frames.Data;
        var original = data.Span.ToArray();
        var time = new DateTimeOffset(2026, 2, 28, 23, 59, 50, TimeSpan.FromHours(8));
        for (int i = 0; i < 40; i++)
        {
            time = time.AddSeconds(1 + i * 37);
            data.Stamp(Commands.Realtime, time, time, 65_525 + i);

            var resealed = data.Span.ToArray();
            FrameEncoding.Seal(resealed);
            Assert.Equal(resealed, data.Span.ToArray());
            Assert.True(Hj1239Decoder.TryDecode(data.Span, LayoutOf(protocol), out var frame, out var error), error.ToString());
            var body = Assert.IsType<Hj1239DataBody>(frame.Body);
            Assert.Equal(GbTime.FromDateTimeOffset(time), body.Time);
            AssertUnchangedOutsideStampedFields(original, data);
        }
    }

    private static void AssertUnchangedOutsideStampedFields(byte[] original, FrameTemplate template)
    {
        var stamped = new HashSet<int> { 2, original.Length - 1 };
        foreach (var f in template.TimeFields)
        {
            stamped.UnionWith(Enumerable.Range(f.Offset, GbTime.Size));
        }
        foreach (var f in template.SerialFields)
        {
            stamped.UnionWith([f.Offset, f.Offset + 1]);
        }
        var now = template.Span;
        for (int i = 0; i < original.Length; i++)
        {
            if (!stamped.Contains(i))
            {
                Assert.True(original[i] == now[i], $"byte {i} changed");
            }
        }
    }

    [Theory]
    [MemberData(nameof(GbFrames))]
    public void Gb_realtime_and_reissue_frames_decode_with_the_gb32960_decoder(TerminalProtocol protocol, string mix, int cells, bool signed)
    {
        var infoMix = InfoMix.Parse(mix);
        var frames = TerminalFrames.Build(protocol, "LZYTBGBW6J1014194", new FrameShape { Mix = infoMix, CellCount = cells, MotorCount = 2, Signed = signed }, seed: 4);

        foreach (byte command in new[] { Commands.Realtime, Commands.Reissue })
        {
            var collected = command == Commands.Reissue ? At.AddMinutes(-5) : At;
            frames.Data.Stamp(command, At, collected, 1);

            Assert.True(Gb32960Decoder.TryDecode(frames.Data.Span, out var frame, out var error), error.ToString());
            var report = Assert.IsType<RealtimeReport>(frame.Body);
            Assert.Equal(command == Commands.Reissue, report.IsReissue);
            Assert.Equal(protocol == TerminalProtocol.Gb2025 ? Gb32960Edition.V2025 : Gb32960Edition.V2016, report.Edition);
            Assert.Equal(GbTime.FromDateTimeOffset(collected), report.Time);
            Assert.Equal(infoMix.Items.SelectMany(i => Enumerable.Repeat(i.Type, i.Count)), report.Items.Select(i => i.Type));
            Assert.True(report.UnknownTail.IsEmpty);
            Assert.Equal(protocol == TerminalProtocol.Gb2025 && signed, report.Signature is not null);
            Assert.Equal(frames.Data.Span.ToArray(), Gb32960Encoder.Encode(frame));
        }
    }

    [Theory]
    [InlineData(TerminalProtocol.Gb2016)]
    [InlineData(TerminalProtocol.Gb2025)]
    public void Gb_login_logout_and_heartbeat_decode_with_the_gb32960_decoder(TerminalProtocol protocol)
    {
        var frames = TerminalFrames.Build(protocol, "LZYTBGBW6J1014194", new FrameShape(), seed: 8);
        frames.Login.Stamp(At, 42);
        frames.Logout.Stamp(At.AddHours(1), 42);

        Assert.True(Gb32960Decoder.TryDecode(frames.Login.Span, out var login, out var error), error.ToString());
        var body = Assert.IsType<VehicleLogin>(login.Body);
        Assert.Equal((ushort)42, body.LoginSerial);
        Assert.Equal(20, body.IccidText.Length);
        Assert.StartsWith("8986", body.IccidText);
        Assert.Equal(1, body.SubsystemCount);
        Assert.Equal(24, body.CodeText(0).Length);
        Assert.Equal(frames.Login.Span.ToArray(), Gb32960Encoder.Encode(login));

        Assert.True(Gb32960Decoder.TryDecode(frames.Logout.Span, out var logout, out error), error.ToString());
        Assert.Equal((ushort)42, Assert.IsType<VehicleLogout>(logout.Body).LoginSerial);

        Assert.True(Gb32960Decoder.TryDecode(frames.Heartbeat!.Span, out var heartbeat, out error), error.ToString());
        Assert.Equal(Gb32960Command.Heartbeat, heartbeat.Command);
    }
}
