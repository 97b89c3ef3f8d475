using Ingest.Spool;
using static Ingest.Tests.Spool.SpoolTestSupport;

namespace Ingest.Tests.Spool;

/// <summary>
/// With Spool:ConsumerThreads set, a consumer gets its records on a dedicated thread of lower priority, so what it does
/// with them (projection) runs there and not on the thread pool the sessions acknowledge from.
/// </summary>
public class ConsumerThreadsTests
{
    [Fact]
    public async Task A_read_hands_its_batch_over_on_a_consumer_thread_at_the_configured_nice_value()
    {
        using var dir = new TempSpoolDirectory();
        var options = dir.Options();
        options.ConsumerThreads = 1;
        options.ConsumerThreadNice = 7;
        await using var spool = FileSpool.Open(options);
        await spool.AppendCommittedAsync(Payload(1));
        await using var consumer = spool.OpenConsumer("projection");

        using var batch = await consumer.ReadAsync(100, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
        // The read itself ran there, but may have finished before this method awaited it (then it resumed here): the
        // switch is what the consumer loop relies on.
        await consumer.SwitchToConsumerThread();

        Assert.Equal(1, batch.Count);
        Assert.Equal("spool-consumer-0", Thread.CurrentThread.Name);
        if (OperatingSystem.IsLinux())
        {
            // Field 19 of /proc/thread-self/stat is the thread's nice value (after the command in parentheses).
            var fields = File.ReadAllText("/proc/thread-self/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("7", fields[16]);
        }
    }

    [Fact]
    public async Task Without_consumer_threads_no_consumer_thread_is_involved()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        await spool.AppendCommittedAsync(Payload(1));
        await using var consumer = spool.OpenConsumer("projection");

        using var batch = await consumer.ReadAsync(100, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
        var switched = consumer.SwitchToConsumerThread();

        Assert.True(switched.IsCompleted);
        await switched;
        Assert.Equal(1, batch.Count);
        Assert.NotEqual("spool-consumer-0", Thread.CurrentThread.Name);
    }

    [Fact]
    public void Consumer_thread_settings_out_of_range_are_refused_at_start()
    {
        using var dir = new TempSpoolDirectory();
        var options = dir.Options();
        options.ConsumerThreads = 65;
        options.ConsumerThreadNice = 20;
        var errors = options.Validate();
        Assert.Contains(errors, e => e.Contains("Spool:ConsumerThreads"));
        Assert.Contains(errors, e => e.Contains("Spool:ConsumerThreadNice"));
    }
}
