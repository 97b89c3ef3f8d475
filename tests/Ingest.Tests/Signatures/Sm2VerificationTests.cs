using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Protocol.Tests.Support;
using Ingest.Signatures;
using Ingest.Tests.Support;
using LoadGen.Frames;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;

namespace Ingest.Tests.Signatures;

/// <summary>
/// SM2 verification as the standard defines it (ZA from the user id, SM3 over ZA || message), proved with the
/// published examples, and the signed range the locator finds in real and generated frames.
/// </summary>
public sealed class Sm2VerificationTests
{
    private static readonly byte[] Message = "message digest"u8.ToArray();

    /// <summary>GB/T 32918.2 (GM/T 0003.2) annex A.2: the 256-bit test curve, user id ALICE123@YAHOO.COM.</summary>
    [Fact]
    public void The_standard_example_on_its_test_curve_verifies_and_a_changed_byte_does_not()
    {
        var curve = new FpCurve(
            Hex("8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3"),
            Hex("787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498"),
            Hex("63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A"),
            Hex("8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7"),
            BigInteger.One);
        var g = curve.CreatePoint(Hex("421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D"),
            Hex("0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2"));
        var domain = new ECDomainParameters(curve, g, curve.Order);
        var publicKey = Convert.FromHexString("04" +
            "0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A" +
            "7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857");
        var r = Convert.FromHexString("40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1");
        var s = Convert.FromHexString("6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7");

        Assert.True(Sm2VerificationKey.TryCreate(publicKey, "ALICE123@YAHOO.COM"u8, out var key, domain));
        Assert.True(key!.Verify(Message, r, s));
        Assert.False(key.Verify("message digesT"u8, r, s));
        Assert.True(Sm2VerificationKey.TryCreate(publicKey, "BILL456@YAHOO.COM"u8, out var otherId, domain));
        Assert.False(otherId!.Verify(Message, r, s)); // ZA binds the user id
    }

    /// <summary>GM/T 0003 example on the recommended curve sm2p256v1 (the one vehicles use), default user id.</summary>
    [Fact]
    public void The_example_on_the_recommended_curve_verifies_also_with_a_sign_byte_before_r()
    {
        var publicKey = Convert.FromHexString("04" +
            "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020" +
            "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13");
        var r = Convert.FromHexString("F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3");
        var s = Convert.FromHexString("B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA");

        Assert.True(Sm2VerificationKey.TryCreate(publicKey, "1234567812345678"u8, out var key));
        Assert.True(key!.Verify(Message, r, s));
        Assert.True(key.Verify(Message, [0, .. r], s)); // a 33-byte R with its sign byte
        Assert.False(key.Verify(Message, s, r));
        Assert.False(key.Verify(Message, [1, .. r], s)); // 33 significant bytes cannot be an R
        Assert.False(Sm2VerificationKey.TryCreate(publicKey.AsSpan(0, 64), "1234567812345678"u8, out _));
    }

    [Fact]
    public void A_key_verifies_the_frames_its_chip_signed_many_times_over_and_no_other_key_does()
    {
        var chip = new Sm2FrameSigner("CHIP000000000001");
        var other = new Sm2FrameSigner("CHIP000000000001");
        Assert.True(Sm2VerificationKey.TryCreate(chip.PublicKey, "CHIP000000000001"u8, out var key));
        foreach (var (protocol, terminal) in new[] { (ListenerProtocol.Hj1239, TerminalProtocol.Hj1239), (ListenerProtocol.Gb32960, TerminalProtocol.Gb2025) })
        {
            var frames = TerminalFrames.Build(terminal, "LGDCH91G8KA141269", new FrameShape(), seed: 5);
            for (int i = 0; i < 3; i++)
            {
                frames.Data.Stamp(DateTimeOffset.UtcNow.AddSeconds(i), i + 1);
                Assert.True(Verify(key!, chip.Sign(frames.Data.Span, protocol), protocol));
                Assert.False(Verify(key!, other.Sign(frames.Data.Span, protocol), protocol));
            }
        }
    }

    /// <summary>
    /// The real 2025 frames' signatures (RSA; their keys are unknown): the locator finds the block after the 0xFF
    /// starter at the end, even behind unknown bytes, reports its algorithm (no SM2 key applies) and signs exactly the
    /// bytes from the time to the starter.
    /// </summary>
    [Theory]
    [InlineData("4. data2025 with only whole_vehicle_data", 25)]
    [InlineData("14. data2025 with only warnings data", 49)]
    [InlineData("34. weird message 2025 with addtional unknown data before signature", 536)]
    [InlineData("36. data_2025", 541)]
    public void Real_2025_frames_show_where_their_signature_lies(string title, int expectedStarter)
    {
        var frame = VectorCatalog.Find("rtm_con.md", title).Bytes;
        var header = FrameHeader.Read(frame, HeaderLayout.Gb32960);
        var data = frame.AsSpan(FrameHeader.Size, header.DataLength);

        Assert.True(Ingest.Protocol.Gb32960.Bodies.RealtimeReport.TryLocateSignature(data, Ingest.Protocol.Gb32960.Gb32960Edition.V2025,
            out int starterAt, out byte algorithm, out var r, out var s));
        Assert.Equal(expectedStarter, starterAt);
        Assert.Equal(0xFF, data[starterAt]);
        Assert.Equal(Ingest.Protocol.Gb32960.Bodies.Gb32960Signature.Rsa, algorithm);
        Assert.Equal(starterAt + 1 + 1 + 2, r.Start.Value); // starter, algorithm, R length WORD
        Assert.Equal((256, 0), (r.End.Value - r.Start.Value, s.End.Value - s.Start.Value)); // RSA-2048 in R, S empty
        Assert.Equal(data.Length, s.End.Value); // the block ends the data unit
        Assert.Equal(SignedFrameKind.OtherAlgorithm,
            SignedFrame.Locate(frame, header, ListenerProtocol.Gb32960, Hj1239UserItemLayout.LengthPrefixed, out _));
    }

    [Fact]
    public void The_2019_draft_with_a_signature_after_every_item_offers_no_signed_range()
    {
        var frame = VectorCatalog.Find("tiza_sih_TestMain.md", "1. 2019 draft").Bytes;
        var header = FrameHeader.Read(frame, HeaderLayout.Hj1239);
        Assert.NotEqual(SignedFrameKind.Sm2, SignedFrame.Locate(frame, header, ListenerProtocol.Hj1239, Hj1239UserItemLayout.LengthPrefixed, out _));
    }

    [Fact]
    public void An_hj_frame_signs_the_data_unit_up_to_its_last_item_and_ends_with_r_and_s()
    {
        var frames = TerminalFrames.Build(TerminalProtocol.Hj1239, "LGDCH91G8KA141269", new FrameShape(), seed: 9);
        var frame = frames.Data.Span.ToArray();
        var header = FrameHeader.Read(frame, HeaderLayout.Hj1239);

        Assert.Equal(SignedFrameKind.Sm2, SignedFrame.Locate(frame, header, ListenerProtocol.Hj1239, Hj1239UserItemLayout.LengthPrefixed, out var parts));

        // R length, R, S length, S, then the check byte.
        Assert.Equal(FrameHeader.Size + header.DataLength - 66, FrameHeader.Size + parts.Signed.Length);
        Assert.True(frame.AsSpan(FrameHeader.Size).Overlaps(parts.Signed, out int signedAt) && signedAt == 0);
        Assert.Equal(32, frame[^67]);
        Assert.Equal(frame[^66..^34], parts.R.ToArray());
        Assert.Equal(32, frame[^34]);
        Assert.Equal(frame[^33..^1], parts.S.ToArray());
        var walker = new Hj1239ItemWalker(frame.AsSpan(FrameHeader.Size, header.DataLength), Hj1239Layout.Hj1239);
        Assert.True(walker.SkipToEnd());
        Assert.Equal(FrameHeader.Size + parts.Signed.Length, walker.SignatureOffset);
    }

    private static bool Verify(Sm2VerificationKey key, byte[] frame, ListenerProtocol protocol)
    {
        var header = FrameHeader.Read(frame, protocol == ListenerProtocol.Hj1239 ? HeaderLayout.Hj1239 : HeaderLayout.Gb32960);
        Assert.Equal(SignedFrameKind.Sm2, SignedFrame.Locate(frame, header, protocol, Hj1239UserItemLayout.LengthPrefixed, out var parts));
        return key.Verify(parts.Signed, parts.R, parts.S);
    }

    private static BigInteger Hex(string hex) => new(hex, 16);
}
