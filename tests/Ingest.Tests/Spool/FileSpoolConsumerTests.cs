using Ingest.Spool;
using static Ingest.Tests.Spool.SpoolTestSupport;

namespace Ingest.Tests.Spool;

public class FileSpoolConsumerTests
{
    [Fact]
    public async Task Two_consumers_keep_independent_cursors()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        await using var fast = spool.OpenConsumer("clickhouse");
        await using var slow = spool.OpenConsumer("forwarder");
        for (var i = 0; i < 10; i++)
        {
            await spool.AppendCommittedAsync(Payload(i));
        }

        using (var all = await fast.ReadAsync(100, TimeSpan.Zero, CancellationToken.None))
        {
            Assert.Equal(10, all.Count);
            await fast.CommitAsync(all.NextOffset, CancellationToken.None);
        }

        using (var few = await slow.ReadAsync(3, TimeSpan.Zero, CancellationToken.None))
        {
            Assert.Equal(3, few.Count);
            await slow.CommitAsync(few.NextOffset, CancellationToken.None);
        }

        var stats = spool.GetStats();
        Assert.Equal(stats.NextOffset, stats.ConsumerOffsets["clickhouse"]);
        Assert.Equal(slow.CommittedOffset, stats.ConsumerOffsets["forwarder"]);
        Assert.Equal(7, (await slow.ReadAllAsync()).Count);
        Assert.Empty(await fast.ReadAllAsync());
    }

    [Fact]
    public async Task Committed_cursor_survives_reopen()
    {
        using var dir = new TempSpoolDirectory();
        long committed;
        await using (var spool = FileSpool.Open(dir.Options()))
        {
            for (var i = 0; i < 10; i++)
            {
                await spool.AppendCommittedAsync(Payload(i));
            }

            await using var consumer = spool.OpenConsumer("redis");
            using var batch = await consumer.ReadAsync(4, TimeSpan.Zero, CancellationToken.None);
            committed = batch.NextOffset;
            await consumer.CommitAsync(committed, CancellationToken.None);
        }

        await using var reopened = FileSpool.Open(dir.Options());
        await using var resumed = reopened.OpenConsumer("redis");
        var rest = await resumed.ReadAllAsync();

        Assert.Equal(committed, resumed.CommittedOffset);
        Assert.Equal(committed, rest[0].Offset);
        Assert.Equal(Enumerable.Range(4, 6).Select(i => Payload(i)), rest.Select(r => r.Payload));
    }

    [Fact]
    public async Task Rewind_returns_to_the_committed_cursor()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        for (var i = 0; i < 6; i++)
        {
            await spool.AppendCommittedAsync(Payload(i));
        }

        await using var consumer = spool.OpenConsumer("forwarder");
        using (var first = await consumer.ReadAsync(2, TimeSpan.Zero, CancellationToken.None))
        {
            await consumer.CommitAsync(first.NextOffset, CancellationToken.None);
        }

        var unconfirmed = await consumer.ReadAllAsync();
        consumer.Rewind();
        var again = await consumer.ReadAllAsync();

        Assert.Equal(4, unconfirmed.Count);
        Assert.Equal(unconfirmed, again, ReadRecordComparer.Instance);
    }

    [Fact]
    public async Task Read_waits_for_the_next_commit_and_returns_it()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        await using var consumer = spool.OpenConsumer("sink");

        var read = consumer.ReadAsync(10, TimeSpan.FromSeconds(20), CancellationToken.None).AsTask();
        Assert.False(read.IsCompleted);
        var appended = await spool.AppendCommittedAsync(Payload(5));
        using var batch = await read;

        var record = Assert.Single(batch.Records);
        Assert.Equal(appended.Offset, record.Offset);
        Assert.Equal(Payload(5), record.Payload.ToArray());
    }

    [Fact]
    public async Task Read_returns_an_empty_batch_when_nothing_arrives_in_time()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        await using var consumer = spool.OpenConsumer("sink");

        using var batch = await consumer.ReadAsync(10, TimeSpan.FromMilliseconds(30), CancellationToken.None);

        Assert.Equal(0, batch.Count);
        Assert.Equal(-1, batch.NextOffset);
    }

    [Fact]
    public async Task Cancelling_a_waiting_read_throws()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        await using var consumer = spool.OpenConsumer("sink");
        using var cts = new CancellationTokenSource();

        var read = consumer.ReadAsync(10, Timeout.InfiniteTimeSpan, cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    [Fact]
    public async Task Disposing_the_spool_ends_a_waiting_read()
    {
        using var dir = new TempSpoolDirectory();
        var spool = FileSpool.Open(dir.Options());
        await using var consumer = spool.OpenConsumer("sink");

        var read = consumer.ReadAsync(10, Timeout.InfiniteTimeSpan, CancellationToken.None).AsTask();
        await spool.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => read);
    }

    [Fact]
    public async Task Commit_only_moves_forward_and_never_past_the_durable_end()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        await using var consumer = spool.OpenConsumer("sink");
        await spool.AppendCommittedAsync(Payload(1));
        var second = await spool.AppendCommittedAsync(Payload(2));
        await consumer.CommitAsync(second.Offset, CancellationToken.None);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await consumer.CommitAsync(0, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            async () => await consumer.CommitAsync(spool.GetStats().NextOffset + 1, CancellationToken.None));
        Assert.Equal(second.Offset, consumer.CommittedOffset);
    }

    [Fact]
    public async Task A_consumer_name_is_open_once_at_a_time()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        var first = spool.OpenConsumer("sink");

        Assert.Throws<InvalidOperationException>(() => spool.OpenConsumer("sink"));
        await first.DisposeAsync();
        await using var second = spool.OpenConsumer("sink");
        Assert.Equal("sink", second.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("has space")]
    [InlineData(".hidden")]
    public async Task Consumer_names_that_are_not_plain_file_names_are_refused(string name)
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());

        Assert.Throws<ArgumentException>(() => spool.OpenConsumer(name));
    }

    [Fact]
    public async Task A_new_consumer_starts_at_the_oldest_retained_record()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        for (var i = 0; i < 5; i++)
        {
            await spool.AppendCommittedAsync(Payload(i));
        }

        await using var late = spool.OpenConsumer("late");

        Assert.Equal(0, late.CommittedOffset);
        Assert.Equal(5, (await late.ReadAllAsync()).Count);
    }

    private sealed class ReadRecordComparer : IEqualityComparer<ReadRecord>
    {
        public static readonly ReadRecordComparer Instance = new();

        public bool Equals(ReadRecord x, ReadRecord y) =>
            x.Offset == y.Offset && x.NextOffset == y.NextOffset && x.Payload.AsSpan().SequenceEqual(y.Payload);

        public int GetHashCode(ReadRecord obj) => obj.Offset.GetHashCode();
    }
}
