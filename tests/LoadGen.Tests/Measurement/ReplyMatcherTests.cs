using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;
using LoadGen.Frames;
using LoadGen.Measurement;
using LoadGen.Sink;

namespace LoadGen.Tests.Measurement;

public class ReplyMatcherTests
{
    private static readonly Vin Terminal = Vin.Parse("LZYTBGBW6J1014194");
    private static readonly Vin Other = Vin.Parse("LA9DHKMT5HBJXK236");
    private static readonly DateTimeOffset Now = new(2026, 3, 14, 9, 26, 53, TimeSpan.FromHours(8));

    /// <summary>A real GB reply frame, built the way the server builds it, read back through the framer.</summary>
    private static FrameHeader GbReply(byte command, byte flag = Gb32960ResponseFlags.Success, Vin? vin = null)
    {
        var request = new FrameHeader(FrameMarker.Hash, HeaderLayout.Gb32960, command, Gb32960ResponseFlags.Command, vin ?? Terminal, 0, Gb32960Encryption.None, 0);
        var bytes = new byte[64];
        int n = ReplyFrames.Write(ReplyKind.Time, request, default, Now, bytes, flag);
        return Scan(bytes.AsSpan(0, n));
    }

    private static FrameHeader HjReply(byte command, Vin? vin = null)
    {
        var request = new FrameHeader(FrameMarker.Hash, HeaderLayout.Hj1239, command, 0, vin ?? Terminal, 2, Gb32960Encryption.None, 0);
        var bytes = new byte[Hj1239Replies.MaxReplyLength];
        int n = Hj1239Replies.WriteReply(bytes, request, GbTime.FromDateTimeOffset(Now));
        return Scan(bytes.AsSpan(0, n));
    }

    private static FrameHeader Scan(ReadOnlySpan<byte> frame)
    {
        var scan = FrameScanner.Scan(frame, FramingOptions.Default);
        Assert.Equal(FrameScanStatus.Frame, scan.Status);
        return scan.Header;
    }

    [Fact]
    public void Replies_answer_requests_in_order()
    {
        var matcher = new ReplyMatcher(Terminal, HeaderLayout.Gb32960, 8);
        matcher.TryExpect(Commands.Login, 10);
        matcher.TryExpect(Commands.Realtime, 20);
        matcher.TryExpect(Commands.Realtime, 30);

        var login = matcher.Match(GbReply(Commands.Login));
        var first = matcher.Match(GbReply(Commands.Realtime));
        var second = matcher.Match(GbReply(Commands.Realtime));

        Assert.Equal(new ReplyMatch(ReplyOutcome.Acknowledged, Commands.Login, 10, 0, 0x01), login);
        Assert.Equal(20, first.SentTimestamp);
        Assert.Equal(30, second.SentTimestamp);
        Assert.Equal(0, matcher.Count);
        Assert.Equal(long.MaxValue, matcher.OldestSentTimestamp);
    }

    [Theory]
    [InlineData(Gb32960ResponseFlags.Error)]
    [InlineData(Gb32960ResponseFlags.VinDuplicate)]
    [InlineData(Gb32960ResponseFlags.StructureInvalid)]
    public void A_gb_failure_flag_rejects_the_request(byte flag)
    {
        var matcher = new ReplyMatcher(Terminal, HeaderLayout.Gb32960, 8);
        matcher.TryExpect(Commands.Login, 10);

        var match = matcher.Match(GbReply(Commands.Login, flag));

        Assert.Equal(ReplyOutcome.Rejected, match.Outcome);
        Assert.Equal(flag, match.Flag);
        Assert.Equal(0, matcher.Count);
    }

    [Fact]
    public void A_reply_to_a_later_request_counts_the_earlier_ones_as_missing()
    {
        var matcher = new ReplyMatcher(Terminal, HeaderLayout.Gb32960, 8);
        matcher.TryExpect(Commands.Realtime, 10);
        matcher.TryExpect(Commands.Realtime, 20);
        matcher.TryExpect(Commands.Heartbeat, 30);
        matcher.TryExpect(Commands.Realtime, 40);

        var match = matcher.Match(GbReply(Commands.Heartbeat));

        Assert.Equal(ReplyOutcome.Acknowledged, match.Outcome);
        Assert.Equal(2, match.Skipped);
        Assert.Equal(30, match.SentTimestamp);
        Assert.Equal(1, matcher.Count);
        Assert.Equal(40, matcher.OldestSentTimestamp);
    }

    [Fact]
    public void A_reply_nobody_asked_for_is_unexpected_and_consumes_nothing()
    {
        var matcher = new ReplyMatcher(Terminal, HeaderLayout.Gb32960, 8);
        Assert.Equal(ReplyOutcome.Unexpected, matcher.Match(GbReply(Commands.Realtime)).Outcome);

        matcher.TryExpect(Commands.Realtime, 10);
        Assert.Equal(ReplyOutcome.Unexpected, matcher.Match(GbReply(Commands.Logout)).Outcome);
        Assert.Equal(1, matcher.Count);
    }

    [Fact]
    public void A_gb_command_frame_from_the_server_is_not_a_reply()
    {
        var matcher = new ReplyMatcher(Terminal, HeaderLayout.Gb32960, 8);
        matcher.TryExpect(Commands.Realtime, 10);
        var downlink = new FrameHeader(FrameMarker.Hash, HeaderLayout.Gb32960, Commands.Realtime, Gb32960ResponseFlags.Command, Terminal, 0, 1, 6);

        Assert.Equal(ReplyOutcome.Unexpected, matcher.Match(downlink).Outcome);
        Assert.Equal(1, matcher.Count);
    }

    [Fact]
    public void A_reply_for_another_vin_is_flagged()
    {
        var matcher = new ReplyMatcher(Terminal, HeaderLayout.Gb32960, 8);
        matcher.TryExpect(Commands.Realtime, 10);

        Assert.Equal(ReplyOutcome.WrongVin, matcher.Match(GbReply(Commands.Realtime, vin: Other)).Outcome);
        Assert.Equal(0, matcher.Count);
    }

    [Fact]
    public void Hj_replies_match_by_command_alone()
    {
        var matcher = new ReplyMatcher(Terminal, HeaderLayout.Hj1239, 8);
        matcher.TryExpect(Commands.Login, 10);
        matcher.TryExpect(Commands.Realtime, 20);

        Assert.Equal(ReplyOutcome.Acknowledged, matcher.Match(HjReply(Commands.Login)).Outcome);
        Assert.Equal(ReplyOutcome.Acknowledged, matcher.Match(HjReply(Commands.Realtime)).Outcome);
        Assert.Equal(ReplyOutcome.Unexpected, matcher.Match(GbReply(Commands.Realtime)).Outcome);
    }

    [Fact]
    public void Capacity_bounds_the_outstanding_requests_and_clear_counts_them()
    {
        var matcher = new ReplyMatcher(Terminal, HeaderLayout.Gb32960, 3);
        Assert.True(matcher.TryExpect(Commands.Realtime, 1));
        Assert.True(matcher.TryExpect(Commands.Realtime, 2));
        Assert.True(matcher.TryExpect(Commands.Realtime, 3));
        Assert.False(matcher.TryExpect(Commands.Realtime, 4));

        matcher.Match(GbReply(Commands.Realtime));
        Assert.True(matcher.TryExpect(Commands.Logout, 5)); // the ring wraps

        Assert.Equal(3, matcher.Clear());
        Assert.Equal(0, matcher.Count);
    }

    [Fact]
    public void The_ring_grows_to_its_capacity_and_keeps_the_order()
    {
        var matcher = new ReplyMatcher(Terminal, HeaderLayout.Gb32960, 20);
        matcher.TryExpect(Commands.Realtime, 0);
        matcher.TryExpect(Commands.Realtime, 1);
        matcher.Match(GbReply(Commands.Realtime)); // the head is no longer at index 0 when the ring grows
        for (int i = 2; i < 21; i++)
        {
            Assert.True(matcher.TryExpect(Commands.Realtime, i));
        }
        Assert.False(matcher.TryExpect(Commands.Realtime, 21));

        var sent = Enumerable.Range(0, 20).Select(_ => matcher.Match(GbReply(Commands.Realtime)).SentTimestamp).ToList();

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), sent);
    }
}
