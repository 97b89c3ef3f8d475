using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Protocol.Tests.Support;

namespace Protocol.Tests.Framing;

public class FrameScannerTests
{
    private static readonly Vector Stream = VectorCatalog.WithExpect("stream").Single();

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void Sticky_stream_with_corruption_and_junk_gives_two_frames_one_checksum_error_three_junk_four_pending(int segment)
    {
        var tally = ScanTally.Run(Segments.Split(Stream.Bytes, segment));

        Assert.Equal(2, tally.Frames.Count);
        Assert.Equal(1, tally.Count(DecodeErrorKind.Checksum));
        Assert.Single(tally.Errors);
        Assert.Equal(3, tally.JunkBytes);
        Assert.Equal(4, tally.PendingBytes);
        Assert.All(tally.Frames, f => Assert.Equal(170, f.Length));
    }

    public static TheoryData<Vector> PassingFrames => VectorCatalog.Theory("decode", "lenient", "reject");

    [Theory]
    [MemberData(nameof(PassingFrames))]
    public void Every_real_frame_with_a_valid_check_is_framed_whole(Vector v)
    {
        if (v.Checksum != "pass")
        {
            return;
        }
        var bytes = v.Bytes;
        var tally = ScanTally.Run(bytes);
        if (v.Title.Contains("declared len", StringComparison.Ordinal) || tally.Frames.Count == 0)
        {
            // A frame whose declared length disagrees with its size is framed by its declared length or skipped;
            // it must never throw or wait forever on a complete buffer plus more data.
            Assert.True(tally.Frames.Count + tally.Errors.Count + tally.JunkBytes + tally.PendingBytes > 0);
            return;
        }
        Assert.Single(tally.Frames);
        Assert.Equal(bytes, tally.Frames[0]);
        Assert.Equal(0, tally.JunkBytes);
        Assert.Equal(0, tally.PendingBytes);
    }

    public static TheoryData<Vector> FailingFrames => VectorCatalog.Theory("checksum-error");

    [Theory]
    [MemberData(nameof(FailingFrames))]
    public void Real_frames_with_a_wrong_check_byte_are_a_checksum_error(Vector v)
    {
        Assert.False(WholeFrame.TryValidate(v.Bytes, FramingOptions.Default, out _, out var error));
        Assert.Equal(DecodeErrorKind.Checksum, error.Kind);

        // In a stream the same bytes never become a frame: they are a checksum error once the declared length is
        // there, or wait for the rest when the frame is cut short.
        var tally = ScanTally.Run([.. v.Bytes, .. new byte[32]]);
        Assert.Empty(tally.Frames);
        Assert.Equal(1, tally.Count(DecodeErrorKind.Checksum));
    }

    [Fact]
    public void A_frame_whose_length_field_disagrees_with_its_size_is_a_length_error_when_whole()
    {
        var v = VectorCatalog.Find("tyj_DeviceManagerServerTest.md", "1. ENCRYPTED login");
        Assert.False(WholeFrame.TryValidate(v.Bytes, FramingOptions.Default, out var header, out var error));
        Assert.Equal(DecodeErrorKind.Length, error.Kind);
        Assert.Equal(31, header.DataLength);
    }

    [Theory]
    [MemberData(nameof(PassingFrames))]
    public void Every_strict_prefix_of_a_frame_needs_more_data_and_consumes_nothing(Vector v)
    {
        var bytes = v.Bytes;
        if (v.Checksum != "pass" || ScanTally.Run(bytes).Frames.Count != 1)
        {
            return;
        }
        for (int n = 0; n < bytes.Length; n++)
        {
            var r = FrameScanner.Scan(bytes.AsSpan(0, n), FramingOptions.Default);
            Assert.Equal(FrameScanStatus.NeedMoreData, r.Status);
        }
    }

    [Fact]
    public void Declared_length_above_the_maximum_is_a_length_error_and_the_next_frame_survives()
    {
        var good = VectorCatalog.Find("node_protocol_test.md", "3. heartbeat request").Bytes;
        var forged = (byte[])good.Clone();
        forged[22] = 0xFF; // declares ~65 KB, above the 16 KiB default
        forged[23] = 0x00;
        var tally = ScanTally.Run([.. forged, .. good]);

        Assert.Equal(1, tally.Count(DecodeErrorKind.Length));
        Assert.Single(tally.Frames);
        Assert.Equal(good, tally.Frames[0]);
    }

    [Fact]
    public void Junk_between_frames_is_counted_and_both_frames_survive()
    {
        var good = VectorCatalog.Find("node_protocol_test.md", "3. heartbeat request").Bytes;
        byte[] junk = [0x00, 0x23, 0x41, 0x24, 0x24, 0x99, 0x23];
        var tally = ScanTally.Run([.. good, .. junk, .. good]);

        Assert.Equal(2, tally.Frames.Count);
        Assert.Equal(junk.Length, tally.JunkBytes);
        Assert.Empty(tally.Errors);
    }

    [Fact]
    public void A_lone_marker_byte_at_the_end_waits_for_its_twin()
    {
        var r = FrameScanner.Scan([0x23], FramingOptions.Default);
        Assert.Equal(FrameScanStatus.NeedMoreData, r.Status);
    }

    [Fact]
    public void Frames_of_a_family_the_listener_does_not_accept_are_junk()
    {
        var gb = VectorCatalog.Find("node_protocol_test.md", "3. heartbeat request").Bytes;
        var tally = ScanTally.Run(gb, new FramingOptions { Accepted = AcceptedProtocols.Hj1239 });
        Assert.Empty(tally.Frames);
        Assert.Equal(gb.Length, tally.JunkBytes);
    }
}
