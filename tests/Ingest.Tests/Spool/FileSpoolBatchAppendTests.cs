using System.Buffers;
using Ingest.Spool;
using Protocol.Tests.Support;
using static Ingest.Tests.Spool.SpoolTestSupport;

namespace Ingest.Tests.Spool;

/// <summary>
/// The batch append the sessions use: records copied straight from a (multi-segment) body into the group commit,
/// in order, one completion for the batch, refusals only ever of a suffix.
/// </summary>
public class FileSpoolBatchAppendTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public async Task Records_split_across_body_segments_are_stored_byte_exact_in_order(int segmentSize)
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        var batch = new SpoolAppendBatch();
        var expected = new List<byte[]>();
        for (int i = 0; i < 5; i++)
        {
            var prefix = Payload(100 + i, 20);
            var body = Payload(i, 150 + i);
            prefix.CopyTo(batch.Add(prefix.Length, Segments.Split(body, segmentSize)));
            expected.Add([.. prefix, .. body]);
        }

        await spool.AppendAsync(batch);

        await using var consumer = spool.OpenConsumer("check");
        var read = await consumer.ReadAllAsync();
        Assert.Equal(expected.Count, read.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(new SpoolAppendResult(SpoolAppendStatus.Committed, read[i].Offset), batch.Result(i));
            Assert.Equal(expected[i], read[i].Payload);
        }
    }

    [Fact]
    public async Task A_batch_larger_than_one_group_commit_goes_into_several_in_order()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options(maxRecordBytes: 512, maxBatchBytes: 1024, segmentBytes: 4096));
        var batch = new SpoolAppendBatch();
        var bodies = Enumerable.Range(0, 40).Select(i => Payload(i, 300)).ToList(); // about 12 KB: groups and segment rolls
        foreach (var body in bodies)
        {
            batch.Add(0, new ReadOnlySequence<byte>(body));
        }

        await spool.AppendAsync(batch);

        await using var consumer = spool.OpenConsumer("check");
        var read = await consumer.ReadAllAsync();
        Assert.Equal(bodies, read.Select(r => r.Payload));
        Assert.Equal(read.Select(r => r.Offset), Enumerable.Range(0, bodies.Count).Select(i => batch.Result(i).Offset));
        Assert.True(dir.SegmentFiles().Length > 1);
    }

    [Fact]
    public async Task When_the_budget_runs_out_mid_batch_the_records_before_are_committed_and_the_rest_refused()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        await FillUntilRoomLeftAsync(spool, (5 * SpoolFormat.RecordBytes(200)) + SpoolFormat.RecordBytes(10));
        var batch = new SpoolAppendBatch();
        for (int i = 0; i < 8; i++)
        {
            batch.Add(0, new ReadOnlySequence<byte>(Payload(i, i == 6 ? 10 : 200))); // the 7th would fit: still refused
        }

        await spool.AppendAsync(batch);

        var statuses = Enumerable.Range(0, 8).Select(i => batch.Result(i).Status).ToArray();
        Assert.Equal([.. Enumerable.Repeat(SpoolAppendStatus.Committed, 5), .. Enumerable.Repeat(SpoolAppendStatus.Full, 3)], statuses);
        await using var consumer = spool.OpenConsumer("check");
        Assert.Equal(5, (await consumer.ReadAllAsync(100_000)).Count(r => r.Payload.Length <= 200));
    }

    /// <summary>
    /// Appends filler records until exactly <paramref name="room"/> bytes of the disk budget are left (the budget must
    /// hold two segments, so a test cannot simply configure a tiny one).
    /// </summary>
    internal static async Task FillUntilRoomLeftAsync(FileSpool spool, long room)
    {
        long Left()
        {
            var stats = spool.GetStats();
            return stats.DiskBudgetBytes - stats.DiskBytes;
        }

        while (Left() - room > 1200)
        {
            await spool.AppendCommittedAsync(Payload(0, 1000));
        }

        await spool.AppendCommittedAsync(Payload(0, (int)(Left() - room - SpoolFormat.RecordHeaderBytes)));
        Assert.Equal(room, Left());
    }

    [Fact]
    public async Task A_failed_commit_refuses_the_batch_records_as_unavailable_and_nothing_is_stored()
    {
        using var dir = new TempSpoolDirectory();
        var io = new FailingFileIo();
        await using var spool = FileSpool.OpenWith(dir.Options(), null, null, new SteppedTimeProvider(Start), null, io);
        io.FailNext(1, FailingOperation.Flush, FailingFileIo.Enospc);
        var batch = new SpoolAppendBatch();
        for (int i = 0; i < 3; i++)
        {
            batch.Add(0, new ReadOnlySequence<byte>(Payload(i)));
        }

        await spool.AppendAsync(batch);

        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(new SpoolAppendResult(SpoolAppendStatus.Unavailable, -1), batch.Result(i)));
        Assert.Equal(0, spool.GetStats().NextOffset);
    }

    [Fact]
    public async Task Appending_a_read_allocates_nothing_on_the_session_thread()
    {
        using var dir = new TempSpoolDirectory();
        var options = dir.Options(diskBudgetBytes: 64L * 1024 * 1024, segmentBytes: 1024 * 1024);
        options.FlushInterval = SpoolOptions.MaxFlushInterval; // keeps the next group pending while the test appends
        await using var spool = FileSpool.Open(options);
        var body = Segments.Split(Payload(1, 300), 100);
        var warmUp = new SpoolAppendBatch();
        var first = new SpoolAppendBatch();
        var measured = new SpoolAppendBatch();
        warmUp.Add(20, body).Fill(1);
        await spool.AppendAsync(warmUp); // commits at once and starts the writer's spacing
        for (int i = 0; i < 4; i++)
        {
            first.Add(20, body).Fill(2);
            measured.Add(20, body).Fill(3);
        }

        var pending = spool.AppendAsync(first); // opens the next group, which waits for the spacing
        long before = GC.GetAllocatedBytesForCurrentThread();
        var append = spool.AppendAsync(measured); // joins that group
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await pending;
        await append;

        Assert.Equal(0, allocated);
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(SpoolAppendStatus.Committed, measured.Result(i).Status));
    }

    [Fact]
    public async Task Concurrent_batches_share_group_commits_and_each_completes_once_all_its_records_are_durable()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options(diskBudgetBytes: 64L * 1024 * 1024, segmentBytes: 1024 * 1024));
        const int Appenders = 16, Rounds = 50, PerBatch = 4;
        await Task.WhenAll(Enumerable.Range(0, Appenders).Select(a => Task.Run(async () =>
        {
            var batch = new SpoolAppendBatch();
            for (int round = 0; round < Rounds; round++)
            {
                for (int i = 0; i < PerBatch; i++)
                {
                    batch.Add(0, new ReadOnlySequence<byte>(Payload((a * 10_000) + (round * 10) + i, 64)));
                }

                await spool.AppendAsync(batch);
                for (int i = 0; i < PerBatch; i++)
                {
                    var result = batch.Result(i);
                    Assert.Equal(SpoolAppendStatus.Committed, result.Status);
                    Assert.True(result.Offset < spool.Durable.Value, "completed before its record was durable");
                }

                batch.Clear();
            }
        })));

        await using var consumer = spool.OpenConsumer("check");
        Assert.Equal(Appenders * Rounds * PerBatch, (await consumer.ReadAllAsync(100_000)).Count);
    }
}
