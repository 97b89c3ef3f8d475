using System.Net.Sockets;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;
using LoadGen.Frames;
using LoadGen.Sink;

namespace LoadGen.Tests.Servers;

public class SinkServerTests
{
    private const string Vin = "LZYTBGBW6J1014194";
    private static readonly DateTimeOffset At = DateTimeOffset.UtcNow;

    private static async Task<byte[]> ExchangeAsync(SinkServer sink, byte[] request, int expectedReplyBytes)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(sink.EndPoint);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        var reply = new byte[expectedReplyBytes];
        await stream.ReadExactlyAsync(reply).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return reply;
    }

    [Fact]
    public async Task A_gb_login_is_answered_with_its_own_data_and_the_platform_time()
    {
        await using var sink = SinkServer.Start(new SinkOptions());
        var frames = TerminalFrames.Build(TerminalProtocol.Gb2016, Vin, new FrameShape(), 1);
        frames.Login.Stamp(At.AddDays(-1), 17);

        var reply = await ExchangeAsync(sink, frames.Login.Span.ToArray(), frames.Login.Length);

        Assert.True(WholeFrame.TryValidate(reply, FramingOptions.Default, out var header, out var error), error.ToString());
        Assert.Equal(Commands.Login, header.Command);
        Assert.Equal(Gb32960ResponseFlags.Success, header.ResponseFlag);
        Assert.Equal(Vin, header.Vin.ToString());
        Assert.Equal(frames.Login.Span[30..^1].ToArray(), reply[30..^1]);               // serial, ICCID, codes echoed
        Assert.NotEqual(frames.Login.Span[24..30].ToArray(), reply[24..30]);            // the time is the platform's
    }

    [Fact]
    public async Task Gb_heartbeat_realtime_and_logout_get_the_reply_shapes_of_the_server()
    {
        await using var sink = SinkServer.Start(new SinkOptions());
        var frames = TerminalFrames.Build(TerminalProtocol.Gb2025, Vin, new FrameShape(), 1);
        frames.Data.Stamp(Commands.Realtime, At, At, 1);
        frames.Logout.Stamp(At, 1);
        byte[] requests = [.. frames.Heartbeat!.Span, .. frames.Data.Span, .. frames.Logout.Span];

        var replies = await ExchangeAsync(sink, requests, 25 + 31 + 31);

        var heartbeat = FrameScanner.Scan(replies, FramingOptions.Default);
        var realtime = FrameScanner.Scan(replies.AsSpan(25), FramingOptions.Default);
        var logout = FrameScanner.Scan(replies.AsSpan(56), FramingOptions.Default);
        Assert.Equal((Commands.Heartbeat, 0, FrameMarker.Dollar), (heartbeat.Header.Command, heartbeat.Header.DataLength, heartbeat.Header.Marker));
        Assert.Equal((Commands.Realtime, 6), (realtime.Header.Command, realtime.Header.DataLength));
        Assert.Equal((Commands.Logout, 6), (logout.Header.Command, logout.Header.DataLength));
        Assert.All(new[] { heartbeat, realtime, logout }, s => Assert.Equal(Gb32960ResponseFlags.Success, s.Header.ResponseFlag));
    }

    [Fact]
    public async Task Hj_frames_are_answered_like_hj1239_replies_and_logout_closes_the_connection()
    {
        await using var sink = SinkServer.Start(new SinkOptions());
        var frames = TerminalFrames.Build(TerminalProtocol.Hj1239, Vin, new FrameShape(), 1);
        frames.Login.Stamp(At, 1);
        frames.Logout.Stamp(At, 1);
        using var client = new TcpClient();
        await client.ConnectAsync(sink.EndPoint);
        var stream = client.GetStream();
        await stream.WriteAsync(frames.Login.Memory);
        await stream.WriteAsync(frames.Logout.Memory);

        var replies = new byte[2 * Hj1239Replies.MaxReplyLength];
        await stream.ReadExactlyAsync(replies).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        int more = await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(Hj1239Replies.TryReadReply(replies.AsSpan(0, 31), out var login, out _, out var error), error.ToString());
        Assert.Equal(Commands.Login, login.Command);
        Assert.True(Hj1239Replies.TryReadReply(replies.AsSpan(31, 31), out var logout, out _, out error), error.ToString());
        Assert.Equal(Commands.Logout, logout.Command);
        Assert.Equal(0, more); // the sink, like the server, ends the session after a logout
        Assert.Equal(2, sink.Stats().Frames);
    }

    [Fact]
    public async Task In_annex_q_mode_nothing_is_answered()
    {
        await using var sink = SinkServer.Start(new SinkOptions { AnnexQ = true });
        var frames = TerminalFrames.Build(TerminalProtocol.Gb17691, Vin, new FrameShape(), 1);
        frames.Login.Stamp(At, 1);
        frames.Data.Stamp(Commands.Realtime, At, At, 1);
        frames.Logout.Stamp(At, 1);
        using var client = new TcpClient();
        await client.ConnectAsync(sink.EndPoint);
        var stream = client.GetStream();
        await stream.WriteAsync(frames.Login.Memory);
        await stream.WriteAsync(frames.Data.Memory);
        await stream.WriteAsync(frames.Logout.Memory);

        int read = await stream.ReadAsync(new byte[64]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, read); // closed after the logout without a single reply byte
        Assert.Equal(3, sink.Stats().Frames);
        Assert.Equal(0, sink.Stats().Replies);
    }

    [Fact]
    public async Task Junk_is_skipped_and_the_next_frame_still_answered()
    {
        await using var sink = SinkServer.Start(new SinkOptions());
        var frames = TerminalFrames.Build(TerminalProtocol.Gb2016, Vin, new FrameShape(), 1);
        byte[] request = [0x00, 0x23, 0x99, 0x42, .. frames.Heartbeat!.Span];

        var reply = await ExchangeAsync(sink, request, 25);

        Assert.Equal(Commands.Heartbeat, reply[2]);
        Assert.Equal(4, sink.Stats().SkippedBytes);
    }
}
