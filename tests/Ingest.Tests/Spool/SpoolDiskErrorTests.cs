using Ingest.Spool;
using static Ingest.Tests.Spool.SpoolTestSupport;

namespace Ingest.Tests.Spool;

/// <summary>
/// A full disk (ENOSPC) or a process out of descriptors (EMFILE) while committing: appends are refused (never
/// acknowledged), nothing acknowledged is touched, and the spool accepts again by itself once the error clears.
/// The errors are injected through the writer's file-operation seam.
/// </summary>
public class SpoolDiskErrorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(FailingOperation.Write, FailingFileIo.Enospc)]
    [InlineData(FailingOperation.Flush, FailingFileIo.Enospc)]
    [InlineData(FailingOperation.CreateSegment, FailingFileIo.Emfile)]
    [InlineData(FailingOperation.CreateSegment, FailingFileIo.Enospc)]
    public async Task A_disk_error_refuses_appends_until_it_clears_then_commits_again_without_reopen(FailingOperation operation, int errno)
    {
        const int FailedAttempts = 3;
        using var dir = new TempSpoolDirectory();
        var options = dir.Options(segmentBytes: 4096);
        var io = new FailingFileIo();
        var time = new SteppedTimeProvider(Start);
        var logger = new CapturingLogger();
        var acknowledged = new List<(long Offset, byte[] Payload)>();
        await using (var spool = FileSpool.OpenWith(options, logger, null, time, null, io))
        {
            for (var i = 0; i < 8; i++) // 8 × 508 bytes fill the first segment: the next commit starts a new one
            {
                acknowledged.Add(((await spool.AppendCommittedAsync(Payload(i, 500))).Offset, Payload(i, 500)));
            }

            var durableEnd = spool.GetStats().NextOffset;
            io.FailNext(FailedAttempts, operation, errno);
            var seed = 100;
            var refusals = 0;
            while (io.Remaining > 0)
            {
                Assert.Equal(new SpoolAppendResult(SpoolAppendStatus.Unavailable, -1), await spool.AppendAsync(Payload(seed++, 500), CancellationToken.None));
                refusals++;
                var refusing = spool.GetStats();
                Assert.True(refusing.WriteUnavailable);
                Assert.False(refusing.CanAccept);
                Assert.Equal(durableEnd, refusing.NextOffset);
                Assert.Contains(errno == FailingFileIo.Enospc ? "No space" : "Too many open files", refusing.WriteError);
                Assert.Equal(durableEnd, LogicalEndOfLastFile(dir)); // the half-written commit was cut off

                // Within the backoff the spool refuses at once, without touching the disk.
                var failures = io.Failures;
                Assert.Equal(SpoolAppendStatus.Unavailable, (await spool.AppendAsync(Payload(seed++, 500), CancellationToken.None)).Status);
                Assert.Equal(failures, io.Failures);

                time.Advance(refusing.WriteRetryAt!.Value - time.GetUtcNow());
                Assert.True(spool.GetStats().CanAccept); // the backoff is over: the next append is the probe
            }

            for (var i = 0; i < 5; i++)
            {
                var result = await spool.AppendCommittedAsync(Payload(200 + i, 500));
                acknowledged.Add((result.Offset, Payload(200 + i, 500)));
            }

            Assert.Equal(durableEnd, acknowledged[8].Offset); // refused appends left no offsets behind
            var healthy = spool.GetStats();
            Assert.True(healthy.CanAccept);
            Assert.Null(healthy.WriteError);
            Assert.Equal(refusals, logger.WithId(1113).Count());
            Assert.Single(logger.WithId(1115));

            await using var consumer = spool.OpenConsumer("check");
            var records = await consumer.ReadAllAsync();
            AssertContiguous(records);
            Assert.Equal(acknowledged.Select(a => a.Offset), records.Select(r => r.Offset));
            Assert.Equal(acknowledged.Select(a => a.Payload), records.Select(r => r.Payload));
            Assert.Equal(0, spool.GetStats().CorruptionEvents);
        }

        // Nothing half-written was left between the commits: a reopen finds a clean log.
        await using var reopened = FileSpool.Open(options);
        Assert.Null(reopened.Recovery.Truncation);
        Assert.Empty(reopened.Recovery.Corruptions);
        await using var again = reopened.OpenConsumer("again");
        Assert.Equal(acknowledged.Select(a => a.Payload), (await again.ReadAllAsync()).Select(r => r.Payload));
    }

    [Fact]
    public async Task Appends_queued_behind_a_failing_commit_are_refused_too_and_offsets_are_not_reused()
    {
        using var dir = new TempSpoolDirectory();
        var io = new FailingFileIo();
        var time = new SteppedTimeProvider(Start);
        await using var spool = FileSpool.OpenWith(dir.Options(), null, null, time, null, io);
        await spool.AppendCommittedAsync(Payload(1, 100));
        var durableEnd = spool.GetStats().NextOffset;

        io.FailNext(1, FailingOperation.Write, FailingFileIo.Enospc);
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => spool.AppendAsync(Payload(i, 100), CancellationToken.None).AsTask()));

        Assert.All(results, r => Assert.NotEqual(SpoolAppendStatus.Full, r.Status));
        var committed = results.Where(r => r.Status == SpoolAppendStatus.Committed).ToList();
        Assert.Empty(committed); // the first batch failed; the rest were queued behind it or came within the backoff
        Assert.Equal(durableEnd, spool.GetStats().NextOffset);
        Assert.True(spool.GetStats().DiskBytes <= SpoolFormat.SegmentHeaderBytes + durableEnd); // budget given back

        time.Advance(SpoolWriter.MaxRetryDelay);
        Assert.Equal(durableEnd, (await spool.AppendCommittedAsync(Payload(9, 100))).Offset);
    }

    /// <summary>The logical offset where the last segment file ends (its base plus its records' bytes).</summary>
    private static long LogicalEndOfLastFile(TempSpoolDirectory dir)
    {
        var last = dir.SegmentFiles()[^1];
        Assert.True(SpoolFormat.TryParseSegmentFileName(Path.GetFileName(last), out var baseOffset));
        return baseOffset + new FileInfo(last).Length - SpoolFormat.SegmentHeaderBytes;
    }
}
