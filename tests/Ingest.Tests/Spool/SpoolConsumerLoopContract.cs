using Ingest.Spool;
using Ingest.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using static Ingest.Tests.Spool.SpoolTestSupport;

namespace Ingest.Tests.Spool;

/// <summary>
/// What <see cref="SpoolConsumerLoop"/> guarantees every consumer (ClickHouse, Redis, platform links), run against
/// both spools: the file spool and the in-memory one the sink tests use. The delivery is a recording double whose
/// outcomes the test completes, fails or holds, so ordering is shown without timing.
/// </summary>
public abstract class SpoolConsumerLoopContract : IAsyncLifetime
{
    private const string Consumer = "contract";

    protected IFrameSpool Spool { get; private set; } = null!;

    /// <summary>Opens the spool, or opens it again after <see cref="CloseSpoolAsync"/> (a restart: same data, cursors as persisted).</summary>
    protected abstract IFrameSpool OpenSpool();

    protected abstract ValueTask CloseSpoolAsync(IFrameSpool spool);

    public Task InitializeAsync()
    {
        Spool = OpenSpool();
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync() => await CloseSpoolAsync(Spool);

    [Fact]
    public async Task Every_record_is_delivered_once_in_order_and_the_cursor_follows()
    {
        await AppendAsync(0, 100);
        var delivery = new RecordingDelivery();
        var loop = NewLoop(delivery, Options(maxBatch: 16));

        await using (Run(loop))
        {
            await Eventually.TrueAsync(() => loop.CommittedOffset == End, "every record committed");
        }

        Assert.Equal(Enumerable.Range(0, 100), delivery.SucceededSeeds());
        Assert.All(delivery.Sent, b => Assert.InRange(b.Records.Count, 1, 16));
        Assert.Equal(End, Spool.GetStats().ConsumerOffsets[Consumer]);
        Assert.Equal(SpoolConsumerState.Stopped, loop.State);
    }

    [Fact]
    public async Task A_restart_resumes_from_the_persisted_cursor_and_commits_every_record_exactly_once()
    {
        await AppendAsync(0, 20);
        var first = new RecordingDelivery();
        var loop = NewLoop(first, Options(maxBatch: 8, stopTimeout: TimeSpan.Zero));
        long committedBeforeKill;
        await using (Run(loop))
        {
            await Eventually.TrueAsync(() => loop.CommittedOffset == End, "the first 20 committed");
            first.Hold = true;
            await AppendAsync(20, 10);
            await Eventually.TrueAsync(() => first.Sent.Count(b => !b.Outcome.Task.IsCompleted) > 0, "a batch of the last 10 in flight");
            committedBeforeKill = loop.CommittedOffset;
            // Stopped with StopTimeout 0: the batch in flight is abandoned, not committed.
        }
        Assert.Equal(committedBeforeKill, loop.CommittedOffset);

        await CloseSpoolAsync(Spool);
        Spool = OpenSpool();
        var second = new RecordingDelivery();
        var resumed = NewLoop(second, Options(maxBatch: 8));
        await using (Run(resumed))
        {
            await Eventually.TrueAsync(() => resumed.CommittedOffset == End, "the rest committed after the restart");
        }

        Assert.Equal(committedBeforeKill, second.Sent[0].Records[0].Offset);
        Assert.Equal(Enumerable.Range(20, 10), second.SucceededSeeds());
        Assert.Equal(Enumerable.Range(0, 30), first.SucceededSeeds().Concat(second.SucceededSeeds()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failed_delivery_rewinds_and_the_same_records_come_again(bool failWhileSending)
    {
        await AppendAsync(0, 24);
        var delivery = new RecordingDelivery { FailOnceAtSeed = 10, FailWhileSending = failWhileSending };
        var loop = NewLoop(delivery, Options(maxBatch: 4));

        await using (Run(loop))
        {
            await Eventually.TrueAsync(() => loop.CommittedOffset == End, "every record committed after the retry");
            await Eventually.TrueAsync(() => loop.ConsecutiveFailures == 0 && loop.Status.LastError is null, "the failure cleared");
        }

        var failed = delivery.Sent.Single(b => b.Outcome.Task.IsFaulted);
        var retried = delivery.Sent[delivery.Sent.IndexOf(failed) + 1];
        Assert.Equal(failed.Records.Select(r => r.Offset), retried.Records.Select(r => r.Offset));
        Assert.Equal(failed.Seeds, retried.Seeds);
        Assert.Equal(Enumerable.Range(0, 24), delivery.SucceededSeeds());
        Assert.Equal(2, delivery.Prepared); // prepared again after the failure
    }

    [Fact]
    public async Task Pipelined_batches_are_committed_in_order_when_a_later_one_finishes_first()
    {
        await AppendAsync(0, 4);
        var delivery = new RecordingDelivery { Hold = true };
        var loop = NewLoop(delivery, Options(maxBatch: 1, inFlight: 3));

        await using (Run(loop))
        {
            await Eventually.TrueAsync(() => delivery.Sent.Count == 3, "three batches in flight");
            delivery.Complete(2);
            delivery.Complete(1);
            await Eventually.TrueAsync(() => delivery.Flushes.Contains(SpoolFlushReason.WindowFull), "the loop waits for the oldest batch");

            Assert.Equal(delivery.Sent[0].Records[0].Offset, loop.CommittedOffset); // batches 1 and 2 are done, but 0 is not
            Assert.Equal(3, delivery.Sent.Count);      // and the window is full
            delivery.Complete(0);
            await Eventually.TrueAsync(() => loop.CommittedOffset == delivery.Sent[2].NextOffset, "all three committed once the oldest is done");
            await Eventually.TrueAsync(() => delivery.Sent.Count == 4, "the fourth batch sent");
            delivery.Complete(3);
            await Eventually.TrueAsync(() => loop.CommittedOffset == End, "the fourth committed");
        }

        Assert.Equal(Enumerable.Range(0, 4), delivery.SucceededSeeds());
    }

    [Fact]
    public async Task Linger_gathers_records_that_arrive_within_it_and_a_full_batch_is_sent_at_once()
    {
        var time = new SteppedTimeProvider(DateTimeOffset.UnixEpoch);
        var delivery = new RecordingDelivery { Hold = true };
        var loop = NewLoop(delivery, Options(maxBatch: 10, linger: TimeSpan.FromHours(1)), time);

        await using (Run(loop))
        {
            await Eventually.TrueAsync(() => loop.State == SpoolConsumerState.CaughtUp, "the loop is waiting for records");
            await AppendAsync(0, 1);
            await Eventually.TrueAsync(() => time.DueTimers > 0, "the loop lingers after the first record");
            await AppendAsync(1, 4);
            Assert.Empty(delivery.Sent);
            time.Advance(TimeSpan.FromHours(1));
            await Eventually.TrueAsync(() => delivery.Sent.Count == 1, "the lingered batch sent");
            Assert.Equal(Enumerable.Range(0, 5), delivery.Sent[0].Seeds);

            await AppendAsync(5, 10); // a full batch is waiting while batch 0 is in flight
            delivery.Complete(0);
            await Eventually.TrueAsync(() => delivery.Sent.Count == 2, "the full batch sent without waiting out the linger");
            Assert.Equal(Enumerable.Range(5, 10), delivery.Sent[1].Seeds);
            delivery.Complete(1);
            await Eventually.TrueAsync(() => loop.CommittedOffset == End, "both committed");
        }
    }

    [Fact]
    public async Task Stopping_finishes_the_batches_in_flight_commits_them_and_persists_the_cursor()
    {
        await AppendAsync(0, 2);
        var delivery = new RecordingDelivery { Hold = true };
        var loop = NewLoop(delivery, Options(maxBatch: 1, inFlight: 2, stopTimeout: TimeSpan.FromMinutes(1)));
        var run = Run(loop);

        await Eventually.TrueAsync(() => delivery.Sent.Count == 2, "two batches in flight");
        run.Stop();
        delivery.Complete(0);
        // The state turns Stopping just before the flush is asked for: wait for the flush itself.
        await Eventually.TrueAsync(() => delivery.Flushes.Contains(SpoolFlushReason.Stopping), "the loop flushes what is in flight");
        Assert.Equal(SpoolConsumerState.Stopping, loop.State);
        delivery.Complete(1);
        await run.DisposeAsync();

        Assert.Equal(End, loop.CommittedOffset);
        await CloseSpoolAsync(Spool);
        Spool = OpenSpool();
        await using var reopened = Spool.OpenConsumer(Consumer);
        Assert.Equal(End, reopened.CommittedOffset);
    }

    [Fact]
    public async Task A_batch_that_fails_while_stopping_lets_nothing_behind_it_be_committed()
    {
        await AppendAsync(0, 2);
        var delivery = new RecordingDelivery { Hold = true };
        var loop = NewLoop(delivery, Options(maxBatch: 1, inFlight: 2, stopTimeout: TimeSpan.FromMinutes(1)));
        var run = Run(loop);

        await Eventually.TrueAsync(() => delivery.Sent.Count == 2, "two batches in flight");
        long start = delivery.Sent[0].Records[0].Offset;
        run.Stop();
        delivery.Complete(1);
        delivery.Sent[0].Outcome.SetException(new SpoolDeliveryException("the destination refused the batch"));
        await run.DisposeAsync();

        Assert.Equal(start, loop.CommittedOffset);
        await CloseSpoolAsync(Spool);
        Spool = OpenSpool();
        await using var reopened = Spool.OpenConsumer(Consumer);
        Assert.Equal(start, reopened.CommittedOffset);
    }

    private long End => Spool.GetStats().NextOffset;

    private async Task AppendAsync(int firstSeed, int count)
    {
        for (int seed = firstSeed; seed < firstSeed + count; seed++)
        {
            await Spool.AppendCommittedAsync(Payload(seed));
        }
    }

    private SpoolConsumerLoop NewLoop(RecordingDelivery delivery, SpoolConsumerLoopOptions options, TimeProvider? time = null) =>
        new(Consumer, Spool, delivery, options, NullLogger.Instance, time);

    private static SpoolConsumerLoopOptions Options(int maxBatch, int inFlight = 1, TimeSpan? linger = null, TimeSpan? stopTimeout = null) => new()
    {
        MaxBatchRecords = maxBatch,
        MaxInFlightBatches = inFlight,
        Linger = linger ?? TimeSpan.Zero,
        IdleWait = TimeSpan.FromMilliseconds(20),
        MinRetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(5),
        StopTimeout = stopTimeout ?? TimeSpan.FromSeconds(30),
    };

    private static RunningLoop Run(SpoolConsumerLoop loop) => new(loop);

    /// <summary>A loop running until disposed (which stops it and waits for it to end).</summary>
    private sealed class RunningLoop : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public RunningLoop(SpoolConsumerLoop loop) => _run = Task.Run(() => loop.RunAsync(_stop.Token));

        public void Stop() => _stop.Cancel();

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await _run.WaitAsync(TimeSpan.FromSeconds(60));
            _stop.Dispose();
        }
    }

    /// <summary>A batch as sent: its records (payloads copied), and the outcome the test or the double completes.</summary>
    internal sealed record SentBatch(IReadOnlyList<ReadRecord> Records, TaskCompletionSource Outcome)
    {
        public long NextOffset => Records[^1].NextOffset;

        public IReadOnlyList<int> Seeds => Records.Select(r => SeedOf(r.Payload)).ToList();
    }

    /// <summary>
    /// Records every batch. Completes outcomes at once unless <see cref="Hold"/>; fails the first batch holding
    /// <see cref="FailOnceAtSeed"/> once, either while sending or as its outcome. Honours the loop's cancellation.
    /// </summary>
    internal sealed class RecordingDelivery : ISpoolBatchDelivery
    {
        private readonly Lock _lock = new();
        private readonly List<SentBatch> _sent = [];
        private readonly List<SpoolFlushReason> _flushes = [];
        private bool _failed;

        public bool Hold { get; set; }

        public int? FailOnceAtSeed { get; init; }

        public bool FailWhileSending { get; init; }

        public int Prepared;

        public List<SentBatch> Sent
        {
            get
            {
                lock (_lock)
                {
                    return [.. _sent];
                }
            }
        }

        public List<SpoolFlushReason> Flushes
        {
            get
            {
                lock (_lock)
                {
                    return [.. _flushes];
                }
            }
        }

        /// <summary>Seeds of every record whose batch was delivered successfully, in send order.</summary>
        public IEnumerable<int> SucceededSeeds() =>
            Sent.Where(b => b.Outcome.Task.IsCompletedSuccessfully).SelectMany(b => b.Seeds);

        public void Complete(int batch) => Sent[batch].Outcome.TrySetResult();

        public ValueTask PrepareAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Prepared);
            return ValueTask.CompletedTask;
        }

        public ValueTask<Task> SendAsync(SpoolBatch batch, CancellationToken cancellationToken)
        {
            var sent = new SentBatch(
                batch.Records.Select(r => new ReadRecord(r.Offset, r.NextOffset, r.Payload.ToArray())).ToList(),
                new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            bool fail = !_failed && FailOnceAtSeed is { } seed && sent.Seeds.Contains(seed);
            _failed |= fail;
            if (fail && FailWhileSending)
            {
                sent.Outcome.SetException(new SpoolDeliveryException("failed while sending"));
                lock (_lock)
                {
                    _sent.Add(sent);
                }
                throw new SpoolDeliveryException("failed while sending");
            }
            lock (_lock)
            {
                _sent.Add(sent);
            }
            if (fail)
            {
                sent.Outcome.SetException(new SpoolDeliveryException("the destination refused the batch"));
            }
            else if (!Hold)
            {
                sent.Outcome.SetResult();
            }
            else
            {
                cancellationToken.Register(() => sent.Outcome.TrySetCanceled());
            }
            return ValueTask.FromResult(sent.Outcome.Task);
        }

        public ValueTask FlushAsync(SpoolFlushReason reason, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                _flushes.Add(reason);
            }
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Which <see cref="Payload"/> seed produced these bytes.</summary>
    private static int SeedOf(byte[] payload)
    {
        for (int seed = 0; seed < 1_000; seed++)
        {
            if (payload.AsSpan().SequenceEqual(Payload(seed)))
            {
                return seed;
            }
        }
        throw new InvalidOperationException("a payload no test appended");
    }
}

public sealed class FileSpoolConsumerLoopTests : SpoolConsumerLoopContract, IDisposable
{
    private readonly TempSpoolDirectory _directory = new();

    protected override IFrameSpool OpenSpool() => FileSpool.Open(_directory.Options());

    protected override ValueTask CloseSpoolAsync(IFrameSpool spool) => spool.DisposeAsync();

    public void Dispose() => _directory.Dispose();
}

public sealed class InMemorySpoolConsumerLoopTests : SpoolConsumerLoopContract
{
    // The in-memory spool outlives a "restart" of its consumer: it stands for data and cursors on disk.
    private readonly InMemorySpool _spool = new();

    protected override IFrameSpool OpenSpool() => _spool;

    protected override ValueTask CloseSpoolAsync(IFrameSpool spool) => ValueTask.CompletedTask;
}
