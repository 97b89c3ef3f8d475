using Ingest.Spool;
using static Ingest.Tests.Spool.SpoolTestSupport;

namespace Ingest.Tests.Spool;

/// <summary>
/// Consumed segments are kept behind the slowest cursor for a time and byte margin (ClickHouse 18.16 may lose parts it
/// acknowledged, the spool can then replay them), but never at the cost of refusing an append: at the disk budget
/// retained segments go first. Time is driven by <see cref="SteppedTimeProvider"/>.
/// </summary>
public class SpoolRetentionMarginTests
{
    // 500-byte payloads are 508 bytes on disk: eight fill a 4096-byte segment.
    private const int PayloadBytes = 500;
    private const int SegmentRecordBytes = 8 * 508;
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_consumed_segment_is_kept_for_the_time_margin_then_deleted()
    {
        using var dir = new TempSpoolDirectory();
        var options = Options(dir, TimeSpan.FromHours(1));
        var time = new SteppedTimeProvider(Start);
        await using var spool = FileSpool.Open(options, timeProvider: time);
        await using var consumer = spool.OpenConsumer("clickhouse");
        await AppendAsync(spool, 40);
        var segments = dir.SegmentFiles();
        Assert.Equal(5, segments.Length);

        await consumer.CommitAsync(spool.GetStats().NextOffset, CancellationToken.None);
        Assert.Equal(segments, dir.SegmentFiles()); // consumed, but within the margin
        Assert.Equal(4 * (SegmentRecordBytes + SpoolFormat.SegmentHeaderBytes), spool.GetStats().RetainedBytes);

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(segments, dir.SegmentFiles());

        time.Advance(TimeSpan.FromMinutes(1)); // the housekeeping timer runs at the margin
        Assert.Equal([segments[^1]], dir.SegmentFiles());
        Assert.Equal(0, spool.GetStats().RetainedBytes);
    }

    [Fact]
    public async Task The_byte_margin_keeps_that_many_consumed_bytes_behind_the_slowest_cursor()
    {
        using var dir = new TempSpoolDirectory();
        var options = Options(dir, TimeSpan.Zero);
        options.RetainAfterConsumedBytes = 2 * SegmentRecordBytes; // two segments' worth
        await using var spool = FileSpool.Open(options);
        await using var fast = spool.OpenConsumer("fast");
        await using var slow = spool.OpenConsumer("slow");
        await AppendAsync(spool, 40);
        var segments = dir.SegmentFiles();

        await fast.CommitAsync(spool.GetStats().NextOffset, CancellationToken.None);
        await slow.CommitAsync(4 * SegmentRecordBytes, CancellationToken.None); // the slowest cursor: start of the 5th segment
        Assert.Equal(segments[2..], dir.SegmentFiles()); // segments 3 and 4 are the kept consumed bytes
        Assert.Equal(2 * SegmentRecordBytes, spool.GetStats().FirstOffset);
    }

    [Fact]
    public async Task At_the_disk_budget_retained_segments_are_deleted_oldest_first_before_an_append_is_refused()
    {
        using var dir = new TempSpoolDirectory();
        var options = Options(dir, TimeSpan.FromHours(1));
        options.DiskBudgetBytes = 3 * (4096 + SpoolFormat.SegmentHeaderBytes);
        var logger = new CapturingLogger();
        await using var spool = FileSpool.Open(options, logger, timeProvider: new SteppedTimeProvider(Start));
        await using var consumer = spool.OpenConsumer("sink");

        // Three budgets' worth of appends, each consumed at once: only the retained segments stand in the way.
        for (var i = 0; i < 72; i++)
        {
            var result = await spool.AppendAsync(Payload(i, PayloadBytes), CancellationToken.None);
            Assert.Equal(SpoolAppendStatus.Committed, result.Status);
            await consumer.CommitAsync(result.Offset + 508, CancellationToken.None);
            Assert.True(spool.GetStats().DiskBytes <= options.DiskBudgetBytes);
        }

        Assert.NotEmpty(logger.WithId(1116)); // deleted before their margin, and said so
        Assert.Empty(logger.WithId(1107)); // never refused
        var segments = dir.SegmentFiles();
        Assert.True(segments.Length >= 2, "the newest consumed segment is still retained");

        // Unconsumed data is never reclaimed: with the consumer stopped, the budget refuses appends.
        SpoolAppendResult refused;
        var seed = 1000;
        while ((refused = await spool.AppendAsync(Payload(seed++, PayloadBytes), CancellationToken.None)).Status == SpoolAppendStatus.Committed)
        {
        }

        Assert.Equal(SpoolAppendStatus.Full, refused.Status);
        Assert.Equal(0, spool.GetStats().RetainedBytes);
    }

    private static SpoolOptions Options(TempSpoolDirectory dir, TimeSpan margin)
    {
        var options = dir.Options(segmentBytes: 4096);
        options.RetainAfterConsumed = margin;
        options.CursorPersistInterval = TimeSpan.Zero;
        return options;
    }

    private static async Task AppendAsync(IFrameSpool spool, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await spool.AppendCommittedAsync(Payload(i, PayloadBytes));
        }
    }
}
