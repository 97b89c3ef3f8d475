using System.Buffers;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Protocol.Tests.Support;

namespace Protocol.Tests.Framing;

/// <summary>
/// Giving up on a partial frame: the reader decides when (it has the clock), <see cref="FrameScanner.Abandon(ReadOnlySpan{byte}, FramingOptions)"/>
/// says how far to skip. A corrupted length must not hide the real frame that follows it.
/// </summary>
public class FrameAbandonTests
{
    private static readonly byte[] Good = VectorCatalog.Find("node_protocol_test.md", "2. realtime").Bytes;

    private static byte[] CorruptedLength()
    {
        var corrupted = (byte[])Good.Clone();
        corrupted[22] = 0x07; // declares about 1.8 KB: plausible, so a stream waits for it
        return corrupted;
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void Abandoning_a_frame_with_a_corrupted_length_skips_to_the_good_frame_behind_it(int segment)
    {
        var corrupted = CorruptedLength();
        var buffer = Segments.Split([.. corrupted, .. Good], segment);
        Assert.Equal(FrameScanStatus.NeedMoreData, FrameScanner.Scan(buffer, FramingOptions.Default).Status);

        var abandoned = FrameScanner.Abandon(buffer, FramingOptions.Default);

        Assert.Equal(FrameScanStatus.Skip, abandoned.Status);
        Assert.Equal(corrupted.Length, abandoned.Length); // exactly up to the next plausible header
        Assert.Equal(DecodeErrorKind.Abandoned, abandoned.Error.Kind);
        Assert.Equal(0, abandoned.Error.Offset);
        Assert.Equal(0x0700 + (Good[23]) + FrameHeader.Overhead, abandoned.Error.Expected); // the declared frame length
        Assert.Equal(corrupted.Length + Good.Length, abandoned.Error.Actual);               // what was waiting
        var rest = ScanTally.Run(buffer.Slice(abandoned.Length));
        Assert.Equal(Good, Assert.Single(rest.Frames));
        Assert.Empty(rest.Errors);
        Assert.Equal(0, rest.PendingBytes);
    }

    [Fact]
    public void The_bytes_after_the_marker_are_scanned_again_so_a_frame_inside_the_stalled_one_is_found()
    {
        // A 208-byte frame cut short after 30 bytes, then a whole heartbeat: the stalled header's length covers it.
        var heartbeat = VectorCatalog.Find("node_protocol_test.md", "3. heartbeat request").Bytes;
        byte[] stream = [.. Good.AsSpan(0, 30), .. heartbeat];
        Assert.Equal(FrameScanStatus.NeedMoreData, FrameScanner.Scan(stream, FramingOptions.Default).Status);

        var abandoned = FrameScanner.Abandon(stream, FramingOptions.Default);

        Assert.Equal(30, abandoned.Length);
        Assert.Equal(heartbeat, Assert.Single(ScanTally.Run(stream[abandoned.Length..]).Frames));
    }

    [Fact]
    public void A_partial_header_loses_both_marker_bytes()
    {
        byte[] stalled = [0x23, 0x23, 0x02, 0xFE, 0x41];

        var abandoned = FrameScanner.Abandon(stalled, FramingOptions.Default);

        Assert.Equal(FrameScanStatus.Skip, abandoned.Status);
        Assert.Equal(stalled.Length, abandoned.Length);
        Assert.Equal(-1, abandoned.Error.Expected); // no whole header, so no declared length
        Assert.Equal(FrameScanStatus.Skip, FrameScanner.Abandon([0x23], FramingOptions.Default).Status);
    }

    [Fact]
    public void Nothing_waiting_means_nothing_to_abandon()
    {
        Assert.Equal(FrameScanStatus.NeedMoreData, FrameScanner.Abandon([], FramingOptions.Default).Status);
        Assert.Equal(FrameScanStatus.NeedMoreData, FrameScanner.Abandon(ReadOnlySequence<byte>.Empty, FramingOptions.Default).Status);
    }
}
