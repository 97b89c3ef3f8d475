using Ingest.Spool;
using static Ingest.Tests.Spool.SpoolTestSupport;

namespace Ingest.Tests.Spool;

public class FileSpoolAppendTests
{
    [Fact]
    public async Task Appended_records_read_back_with_their_offsets_and_payloads()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        var payloads = Enumerable.Range(0, 50).Select(i => Payload(i, 20 + (i * 13 % 300))).ToArray();
        var offsets = new List<long>();
        foreach (var payload in payloads)
        {
            offsets.Add((await spool.AppendCommittedAsync(payload)).Offset);
        }

        await using var consumer = spool.OpenConsumer("sink");
        var records = await consumer.ReadAllAsync();

        Assert.Equal(offsets, records.Select(r => r.Offset));
        Assert.Equal(payloads, records.Select(r => r.Payload));
        AssertContiguous(records);
    }

    [Fact]
    public async Task Offsets_are_logical_byte_positions_starting_at_zero()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());

        var first = await spool.AppendCommittedAsync(Payload(1, 10));
        var second = await spool.AppendCommittedAsync(Payload(2, 30));
        var third = await spool.AppendCommittedAsync(Payload(3, 5));

        Assert.Equal(0, first.Offset);
        Assert.Equal(8 + 10, second.Offset);
        Assert.Equal(8 + 10 + 8 + 30, third.Offset);
        Assert.Equal(third.Offset + 8 + 5, spool.GetStats().NextOffset);
    }

    [Fact]
    public async Task Offsets_continue_after_reopen_across_segments()
    {
        using var dir = new TempSpoolDirectory();
        var options = dir.Options(segmentBytes: 4096, diskBudgetBytes: 1024 * 1024);
        var offsets = new List<long>();
        for (var run = 0; run < 3; run++)
        {
            await using var spool = FileSpool.Open(options);
            for (var i = 0; i < 30; i++)
            {
                offsets.Add((await spool.AppendCommittedAsync(Payload((run * 100) + i, 300))).Offset);
            }
        }

        Assert.True(dir.SegmentFiles().Length > 3);
        Assert.Equal(offsets.Order(), offsets);
        Assert.Equal(offsets.Count, offsets.Distinct().Count());
        await using var reopened = FileSpool.Open(options);
        await using var consumer = reopened.OpenConsumer("check");
        var records = await consumer.ReadAllAsync();
        Assert.Equal(offsets, records.Select(r => r.Offset));
        AssertContiguous(records);
    }

    [Fact]
    public async Task Concurrent_appends_are_all_durable_and_read_back_in_offset_order()
    {
        using var dir = new TempSpoolDirectory();
        var options = dir.Options(segmentBytes: 32 * 1024, diskBudgetBytes: 64 * 1024 * 1024);
        const int tasks = 64;
        const int perTask = 100;
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<long, byte[]>();
        await using (var spool = FileSpool.Open(options))
        {
            await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
            {
                for (var i = 0; i < perTask; i++)
                {
                    var payload = Payload((t * perTask) + i, 50 + ((t + i) % 200));
                    var result = await spool.AppendCommittedAsync(payload);
                    Assert.True(acknowledged.TryAdd(result.Offset, payload));
                }
            })));
        }

        await using var reopened = FileSpool.Open(options);
        await using var consumer = reopened.OpenConsumer("check");
        var records = await consumer.ReadAllAsync();

        Assert.Equal(tasks * perTask, records.Count);
        Assert.Equal(acknowledged.Keys.Order(), records.Select(r => r.Offset));
        Assert.All(records, r => Assert.Equal(acknowledged[r.Offset], r.Payload));
        AssertContiguous(records);
    }

    [Fact]
    public async Task Dispose_commits_every_pending_append()
    {
        using var dir = new TempSpoolDirectory();
        var options = dir.Options();
        options.FlushInterval = TimeSpan.FromMilliseconds(200);
        var spool = FileSpool.Open(options);
        var pending = Enumerable.Range(0, 100).Select(i => spool.AppendAsync(Payload(i, 40), CancellationToken.None).AsTask()).ToList();

        await spool.DisposeAsync();

        var results = await Task.WhenAll(pending);
        Assert.All(results, r => Assert.Equal(SpoolAppendStatus.Committed, r.Status));
        await using var reopened = FileSpool.Open(dir.Options());
        await using var consumer = reopened.OpenConsumer("check");
        Assert.Equal(results.Select(r => r.Offset).Order(), (await consumer.ReadAllAsync()).Select(r => r.Offset));
    }

    [Fact]
    public async Task Append_after_dispose_throws()
    {
        using var dir = new TempSpoolDirectory();
        var spool = FileSpool.Open(dir.Options());
        await spool.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await spool.AppendAsync(Payload(1), CancellationToken.None));
    }

    [Fact]
    public async Task A_cancelled_append_writes_nothing()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await spool.AppendAsync(Payload(1), cancelled.Token));

        Assert.Equal(0, spool.GetStats().NextOffset);
        Assert.Equal(0, (await spool.AppendCommittedAsync(Payload(2))).Offset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2049)]
    public async Task Empty_or_oversized_payloads_are_refused(int length)
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options(maxRecordBytes: 2048));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await spool.AppendAsync(new byte[length], CancellationToken.None));
    }

    [Fact]
    public async Task Records_larger_than_todays_read_size_are_still_read()
    {
        using var dir = new TempSpoolDirectory();
        var big = Payload(9, 20_000);
        await using (var spool = FileSpool.Open(dir.Options(maxRecordBytes: 32 * 1024, maxBatchBytes: 64 * 1024)))
        {
            await spool.AppendCommittedAsync(Payload(1, 100));
            await spool.AppendCommittedAsync(big);
            await spool.AppendCommittedAsync(Payload(2, 100));
        }

        await using var reopened = FileSpool.Open(dir.Options(maxRecordBytes: 1024, maxBatchBytes: 4096));
        await using var consumer = reopened.OpenConsumer("check");
        var records = await consumer.ReadAllAsync();

        Assert.Equal([Payload(1, 100), big, Payload(2, 100)], records.Select(r => r.Payload));
    }

    [Fact]
    public async Task A_record_larger_than_a_segment_gets_a_segment_of_its_own()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options(segmentBytes: 4096, maxRecordBytes: 6000, maxBatchBytes: 8192));

        await spool.AppendCommittedAsync(Payload(1, 100));
        var big = await spool.AppendCommittedAsync(Payload(2, 6000));
        await spool.AppendCommittedAsync(Payload(3, 100));

        Assert.Equal(3, dir.SegmentFiles().Length);
        Assert.EndsWith(SpoolFormat.SegmentFileName(big.Offset), dir.SegmentFiles()[1]);
    }
}
