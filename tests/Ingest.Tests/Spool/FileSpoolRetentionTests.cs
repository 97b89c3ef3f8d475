using Ingest.Spool;
using static Ingest.Tests.Spool.SpoolTestSupport;

namespace Ingest.Tests.Spool;

public class FileSpoolRetentionTests
{
    // 500-byte payloads are 508 bytes on disk: eight fill a 4096-byte segment.
    private const int PayloadBytes = 500;

    [Fact]
    public async Task A_segment_is_deleted_only_after_every_consumer_commits_past_it()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(WithPersistInterval(dir.Options(segmentBytes: 4096), TimeSpan.Zero));
        await using var fast = spool.OpenConsumer("fast");
        await using var slow = spool.OpenConsumer("slow");
        var offsets = new List<SpoolAppendResult>();
        for (var i = 0; i < 40; i++)
        {
            offsets.Add(await spool.AppendCommittedAsync(Payload(i, PayloadBytes)));
        }

        var segments = dir.SegmentFiles();
        Assert.Equal(5, segments.Length);

        await fast.CommitAsync(spool.GetStats().NextOffset, CancellationToken.None);
        Assert.Equal(segments, dir.SegmentFiles());

        await slow.CommitAsync(offsets[12].Offset, CancellationToken.None); // inside the second segment
        Assert.Equal(segments[1..], dir.SegmentFiles());
        Assert.Equal(offsets[8].Offset, spool.GetStats().FirstOffset);

        await slow.CommitAsync(spool.GetStats().NextOffset, CancellationToken.None);
        Assert.Equal([segments[^1]], dir.SegmentFiles()); // the active segment stays
        Assert.Empty(await slow.ReadAllAsync()); // committing moved its read position along
        Assert.Equal(0, spool.GetStats().CorruptionEvents);
    }

    [Fact]
    public async Task A_commit_within_the_persist_interval_deletes_nothing_until_its_cursor_reaches_the_disk()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(WithPersistInterval(dir.Options(segmentBytes: 4096), TimeSpan.FromHours(1)));
        var consumer = spool.OpenConsumer("lazy");
        await consumer.CommitAsync(0, CancellationToken.None);
        for (var i = 0; i < 40; i++)
        {
            await spool.AppendCommittedAsync(Payload(i, PayloadBytes));
        }
        var segments = dir.SegmentFiles();
        await consumer.CommitAsync(spool.GetStats().NextOffset, CancellationToken.None); // first commit: written at once
        Assert.Equal([segments[^1]], dir.SegmentFiles());

        for (var i = 0; i < 40; i++)
        {
            await spool.AppendCommittedAsync(Payload(i, PayloadBytes));
        }
        var more = dir.SegmentFiles();
        await consumer.CommitAsync(spool.GetStats().NextOffset, CancellationToken.None); // within the hour: memory only
        Assert.Equal(more, dir.SegmentFiles());
        Assert.Equal(spool.GetStats().NextOffset, consumer.CommittedOffset);

        Assert.Empty((await consumer.ReadAsync(10, TimeSpan.FromMilliseconds(10), CancellationToken.None)).Records); // idle: persists
        Assert.Equal([more[^1]], dir.SegmentFiles());
        await consumer.DisposeAsync();
    }

    [Fact]
    public async Task Without_any_consumer_every_segment_is_kept()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options(segmentBytes: 4096));
        for (var i = 0; i < 40; i++)
        {
            await spool.AppendCommittedAsync(Payload(i, PayloadBytes));
        }

        Assert.Equal(5, dir.SegmentFiles().Length);
        Assert.Equal(0, spool.GetStats().FirstOffset);
    }

    [Fact]
    public async Task A_registered_consumer_holds_segments_across_restarts_until_removed()
    {
        using var dir = new TempSpoolDirectory();
        var options = dir.Options(segmentBytes: 4096);
        await using (var spool = FileSpool.Open(options))
        {
            await spool.OpenConsumer("offline-platform").DisposeAsync();
            await using var sink = spool.OpenConsumer("clickhouse");
            for (var i = 0; i < 40; i++)
            {
                await spool.AppendCommittedAsync(Payload(i, PayloadBytes));
            }

            await sink.CommitAsync(spool.GetStats().NextOffset, CancellationToken.None);
            Assert.Equal(5, dir.SegmentFiles().Length);
        }

        await using var reopened = FileSpool.Open(options);
        Assert.Equal(5, dir.SegmentFiles().Length);
        Assert.Equal(0, reopened.GetStats().ConsumerOffsets["offline-platform"]);

        var held = reopened.OpenConsumer("offline-platform");
        Assert.Equal(SpoolConsumerRemoval.InUse, reopened.RemoveConsumer("offline-platform"));
        await held.DisposeAsync();
        Assert.Equal(SpoolConsumerRemoval.Removed, reopened.RemoveConsumer("offline-platform"));
        Assert.Equal(SpoolConsumerRemoval.NotFound, reopened.RemoveConsumer("offline-platform"));

        Assert.Single(dir.SegmentFiles());
        Assert.False(reopened.GetStats().ConsumerOffsets.ContainsKey("offline-platform"));
    }

    [Fact]
    public async Task At_the_disk_budget_appends_return_full_and_every_acknowledged_record_stays()
    {
        using var dir = new TempSpoolDirectory();
        var options = dir.Options(segmentBytes: 4096, diskBudgetBytes: 2 * (4096 + 32));
        options.NearBudgetRatio = 0.5;
        await using var spool = FileSpool.Open(options);
        await using var consumer = spool.OpenConsumer("sink");
        var acknowledged = new List<(long Offset, byte[] Payload)>();
        SpoolAppendResult result;
        var seed = 0;
        while ((result = await spool.AppendAsync(Payload(seed, PayloadBytes), CancellationToken.None)).Status == SpoolAppendStatus.Committed)
        {
            acknowledged.Add((result.Offset, Payload(seed++, PayloadBytes)));
        }

        var full = spool.GetStats();
        Assert.Equal(-1, result.Offset);
        Assert.True(full.Full);
        Assert.True(full.NearBudget);
        Assert.True(full.DiskBytes <= options.DiskBudgetBytes);
        Assert.Equal(16, acknowledged.Count);
        Assert.Equal(SpoolAppendStatus.Full, (await spool.AppendAsync(Payload(99, PayloadBytes), CancellationToken.None)).Status);
        Assert.Equal(full.NextOffset, spool.GetStats().NextOffset); // nothing was written

        var records = await consumer.ReadAllAsync();
        Assert.Equal(acknowledged.Select(a => a.Offset), records.Select(r => r.Offset));
        Assert.Equal(acknowledged.Select(a => a.Payload), records.Select(r => r.Payload));

        await consumer.CommitAsync(records[^1].NextOffset, CancellationToken.None);
        Assert.False(spool.GetStats().Full); // a sealed segment was freed
        var again = await spool.AppendAsync(Payload(100, PayloadBytes), CancellationToken.None);
        Assert.Equal(SpoolAppendStatus.Committed, again.Status);
        Assert.Equal(full.NextOffset, again.Offset);
        Assert.False(spool.GetStats().Full);
    }

    private static SpoolOptions WithPersistInterval(SpoolOptions options, TimeSpan interval)
    {
        options.CursorPersistInterval = interval;
        return options;
    }
}
