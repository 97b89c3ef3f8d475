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
}
