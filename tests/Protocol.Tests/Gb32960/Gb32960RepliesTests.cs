using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Primitives;

namespace Protocol.Tests.Gb32960;

public class Gb32960RepliesTests
{
    private static readonly GbTime RtmTime = new(25, 10, 27, 20, 2, 2);

    private static FrameHeader HeaderOf(byte[] frame)
    {
        Assert.True(WholeFrame.TryValidate(frame, Gb32960Decoder.WholeFrameOptions, out var header, out var error), error.ToString());
        return header;
    }

    [Fact]
    public void Heartbeat_reply_is_the_frame_the_node_library_sends()
    {
        var request = GbVectors.Bytes("node_protocol_test.md", "3. heartbeat request");
        var expected = GbVectors.Bytes("node_protocol_test.md", "4. heartbeat RESPONSE");
        var buffer = new byte[Gb32960Replies.MaxReplyLength(0)];
        int n = Gb32960Replies.HeartbeatReply(HeaderOf(request), buffer);
        Assert.Equal(expected, buffer[..n]);
    }

    [Fact]
    public void Time_sync_reply_carries_the_platform_time_in_31_bytes()
    {
        var request = GbVectors.Bytes("node_protocol_test.md", "5. time-sync request");
        var buffer = new byte[64];
        int n = Gb32960Replies.TimeSyncReply(HeaderOf(request), RtmTime, buffer);
        Assert.Equal(31, n);
        Assert.True(Gb32960Decoder.TryDecode(buffer.AsSpan(0, n), out var frame, out _));
        Assert.Equal(Gb32960Command.TimeSync, frame.Command);
        Assert.Equal(Gb32960ResponseFlags.Success, frame.ResponseFlag);
        Assert.Equal("ERR08030000000000", frame.Vin.ToString());
        Assert.Equal(RtmTime, Assert.IsType<Reply>(frame.Body).Time);
    }

    [Theory]
    [InlineData("3. login2016", "27. ack2016")]
    [InlineData("1. login2025", "28. ack2025")]
    public void Time_only_acknowledgement_of_a_login_is_the_rtm_con_ack(string login, string ack)
    {
        var request = GbVectors.Bytes("rtm_con.md", login);
        var buffer = new byte[Gb32960Replies.MaxReplyLength(request.Length)];
        int n = Gb32960Replies.Acknowledgement(HeaderOf(request), Gb32960ResponseFlags.Success, RtmTime, buffer);
        Assert.Equal(GbVectors.Bytes("rtm_con.md", ack), buffer[..n]);
    }

    [Fact]
    public void Login_reply_echoes_the_request_with_the_platform_time_in_front()
    {
        var request = GbVectors.Bytes("node_protocol_test.md", "1. vehicle login");
        var platformTime = new GbTime(26, 1, 2, 3, 4, 5);
        var buffer = new byte[Gb32960Replies.MaxReplyLength(request.Length - 25)];
        int n = Gb32960Replies.VehicleLoginReply(request, Gb32960ResponseFlags.VinDuplicate, platformTime, buffer);
        Assert.Equal(request.Length, n);

        Assert.True(Gb32960Decoder.TryDecode(buffer.AsSpan(0, n), out var frame, out _));
        Assert.Equal(Gb32960ResponseFlags.VinDuplicate, frame.ResponseFlag);
        Assert.Equal(Gb32960Encryption.None, frame.Header.Encryption);
        Assert.Equal("LFWADRJF011002346", frame.Vin.ToString());
        var reply = Assert.IsType<Reply>(frame.Body);
        Assert.Equal(platformTime, reply.Time);
        Assert.Equal(request.AsSpan(24 + 6, request.Length - 25 - 6).ToArray(), reply.Payload.ToArray());
    }

    [Fact]
    public void Login_reply_to_a_request_shorter_than_a_time_carries_the_time_alone()
    {
        var request = GbVectors.Bytes("python_socket_client.md", "1. vehicle login");
        var header = HeaderOf(request);
        var buffer = new byte[Gb32960Replies.MaxReplyLength(header.DataLength)];
        int n = Gb32960Replies.VehicleLoginReply(header, request.AsSpan(24, 3), Gb32960ResponseFlags.Error, RtmTime, buffer);
        Assert.Equal(31, n);
    }

    [Fact]
    public void Replies_keep_the_2025_marker()
    {
        var request = GbVectors.Bytes("rtm_con.md", "36. data_2025");
        var buffer = new byte[64];
        int n = Gb32960Replies.Acknowledgement(HeaderOf(request), Gb32960ResponseFlags.Success, RtmTime, buffer);
        Assert.Equal("$$"u8.ToArray(), buffer[..2]);
        Assert.True(Gb32960Decoder.TryDecode(buffer.AsSpan(0, n), out var frame, out _));
        Assert.Equal(Gb32960Edition.V2025, frame.Edition);
        Assert.Equal(Gb32960Command.RealtimeReport, frame.Command);
    }

    [Theory]
    [InlineData(Gb32960Edition.V2016, "23. plt_login2016")]
    [InlineData(Gb32960Edition.V2025, "24. plt_login2025")]
    public void Our_platform_login_is_byte_identical_to_the_rtm_con_sample(Gb32960Edition edition, string title)
    {
        var buffer = new byte[Gb32960Replies.PlatformLoginLength];
        int n = Gb32960Replies.PlatformLogin(buffer, edition, Vin.Parse("HAUV4BGN6S5002219"), RtmTime, 2050,
            "HAUV4BGN6S50", "HAUV4BGN6S5002219HAU", Gb32960Encryption.None);
        Assert.Equal(GbVectors.Bytes("rtm_con.md", title), buffer[..n]);
    }

    [Fact]
    public void Our_platform_logout_and_heartbeat_match_the_samples()
    {
        var buffer = new byte[Gb32960Replies.PlatformLogoutLength];
        int n = Gb32960Replies.PlatformLogout(buffer, Gb32960Edition.V2016, Vin.Parse("HAUV4BGN6S5002219"), RtmTime, 2050);
        Assert.Equal(GbVectors.Bytes("rtm_con.md", "25. plt_logout2016"), buffer[..n]);

        n = Gb32960Replies.Heartbeat(buffer, Gb32960Edition.V2016, Vin.Parse("123456789"));
        Assert.Equal(GbVectors.Bytes("SmallChi_JTNewEnergy.md", "8. cmd 0x07"), buffer[..n]);
    }

    [Fact]
    public void Short_credentials_are_padded_with_zero_and_long_ones_are_refused()
    {
        var buffer = new byte[Gb32960Replies.PlatformLoginLength];
        int n = Gb32960Replies.PlatformLogin(buffer, Gb32960Edition.V2016, Vin.Parse("PLATFORM01"), RtmTime, 1, "user", "pw");
        Assert.True(Gb32960Decoder.TryDecode(buffer.AsSpan(0, n), out var frame, out _));
        var login = Assert.IsType<PlatformLogin>(frame.Body);
        Assert.Equal("user", login.UsernameText);
        Assert.Equal((byte[])[.. "pw"u8, .. new byte[18]], login.Password.ToArray());

        Assert.Throws<ArgumentException>(() =>
            Gb32960Replies.PlatformLogin(buffer, Gb32960Edition.V2016, default, RtmTime, 1, "thirteen-long", "pw"));
    }

    [Fact]
    public void A_destination_smaller_than_the_reply_is_refused()
    {
        var request = GbVectors.Bytes("node_protocol_test.md", "5. time-sync request");
        Assert.Throws<ArgumentException>(() => Gb32960Replies.TimeSyncReply(HeaderOf(request), RtmTime, new byte[30]));
    }

    [Fact]
    public void Reply_builders_allocate_nothing()
    {
        var login = GbVectors.Bytes("node_protocol_test.md", "1. vehicle login");
        var header = HeaderOf(login);
        var buffer = new byte[256];
        void BuildAll()
        {
            Gb32960Replies.VehicleLoginReply(login, Gb32960ResponseFlags.Success, RtmTime, buffer);
            Gb32960Replies.HeartbeatReply(header, buffer);
            Gb32960Replies.TimeSyncReply(header, RtmTime, buffer);
            Gb32960Replies.Acknowledgement(header, Gb32960ResponseFlags.Success, RtmTime, buffer);
            Gb32960Replies.PlatformLogin(buffer, Gb32960Edition.V2025, header.Vin, RtmTime, 7, "user", "password");
            Gb32960Replies.PlatformLogout(buffer, Gb32960Edition.V2025, header.Vin, RtmTime, 7);
            Gb32960Replies.Heartbeat(buffer, Gb32960Edition.V2025, header.Vin);
        }
        BuildAll();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            BuildAll();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
