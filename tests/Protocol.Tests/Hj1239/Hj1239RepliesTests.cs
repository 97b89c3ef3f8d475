using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;
using static Protocol.Tests.Hj1239.Hj1239Samples;

namespace Protocol.Tests.Hj1239;

public class Hj1239RepliesTests
{
    [Theory]
    [InlineData(Hj1239Command.Login)]
    [InlineData(Hj1239Command.Realtime)]
    [InlineData(Hj1239Command.Reissue)]
    [InlineData(Hj1239Command.Logout)]
    [InlineData(Hj1239Command.TimeSync)]
    [InlineData(Hj1239Command.RemovalAlarm)]
    public void Hj_terminals_wait_for_replies_and_annex_q_terminals_do_not(byte command)
    {
        Assert.True(Hj1239Replies.RequiresReply(Hj1239Layout.Hj1239, command));
        Assert.True(Hj1239Replies.RequiresReply(Hj1239Layout.Auto, command));
        Assert.False(Hj1239Replies.RequiresReply(Hj1239Layout.AnnexQ, command));
    }

    [Theory]
    [InlineData(Hj1239Command.Activation)]
    [InlineData(Hj1239Command.ActivationResponse)]
    [InlineData(Hj1239Command.ParameterQuery)]
    public void Activation_and_downlink_commands_get_no_automatic_reply(byte command)
    {
        Assert.False(Hj1239Replies.RequiresReply(Hj1239Layout.Hj1239, command));
    }

    [Fact]
    public void Reply_echoes_command_vin_and_version_with_the_platform_time()
    {
        var request = Hj1239Encoder.Encode(Login());
        Assert.True(Hj1239Decoder.TryDecode(request, Hj1239Layout.Hj1239, out var login, out _));
        Span<byte> buffer = stackalloc byte[Hj1239Replies.MaxReplyLength];
        var now = new GbTime(25, 10, 28, 14, 45, 47);

        int length = Hj1239Replies.WriteReply(buffer, login.Header, now);

        Assert.Equal(31, length);
        Assert.True(Hj1239Replies.TryReadReply(buffer[..length], out var header, out var time, out _));
        Assert.Equal(Hj1239Command.Login, header.Command);
        Assert.Equal(TestVin, header.Vin);
        Assert.Equal(0x06, header.SoftwareVersion);
        Assert.Equal(0x01, header.Encryption);
        Assert.Equal(now, time);
    }

    [Fact]
    public void Time_sync_reply_is_31_bytes_and_decodes_as_a_time_sync_with_time()
    {
        var bytes = new byte[Hj1239Replies.MaxReplyLength];

        int length = Hj1239Replies.WriteTimeSyncReply(bytes, TestVin, 0x02, T0);

        Assert.Equal(31, length);
        Assert.Equal(Hj1239Encoder.Encode(Hj1239Frame.Create(Hj1239Command.TimeSync, TestVin, 0x02, Hj1239Layout.Hj1239,
            new Hj1239TimeSyncBody(T0))), bytes);
    }

    [Fact]
    public void Activation_response_decodes_as_one()
    {
        var bytes = new byte[Hj1239Replies.ActivationResponseLength];

        Hj1239Replies.WriteActivationResponse(bytes, TestVin, 0x06, Hj1239ActivationResponseBody.StatusSuccess, 0);

        Assert.True(Hj1239Decoder.TryDecode(bytes, Hj1239Layout.Hj1239, out var frame, out _));
        Assert.Equal(Hj1239ActivationResponseBody.StatusSuccess, Assert.IsType<Hj1239ActivationResponseBody>(frame.Body).Status);
    }

    [Fact]
    public void Building_replies_allocates_nothing()
    {
        var request = Hj1239Encoder.Encode(Login());
        Assert.True(Hj1239Decoder.TryDecode(request, Hj1239Layout.Hj1239, out var login, out _));
        var header = login.Header;
        var buffer = new byte[Hj1239Replies.MaxReplyLength];
        Hj1239Replies.WriteReply(buffer, header, T0);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Hj1239Replies.WriteReply(buffer, header, T0);
            Hj1239Replies.WriteTimeSyncReply(buffer, header.Vin, 1, T0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Too_small_a_buffer_is_a_caller_bug()
    {
        Assert.Throws<ArgumentException>(() => Hj1239Replies.WriteTimeSyncReply(new byte[30], TestVin, 1, T0));
    }
}
