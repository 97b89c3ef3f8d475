using Ingest.Spool;
using static Ingest.Tests.Spool.SpoolTestSupport;

namespace Ingest.Tests.Spool;

/// <summary>
/// A cursor whose consumer is no longer configured (a removed forwarder link) would hold every segment forever: the
/// spool warns about it at open, lists it with its drop time, and drops it after Spool:OrphanedCursorGrace.
/// </summary>
public class SpoolOrphanedCursorTests
{
    private const int PayloadBytes = 500;
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_unconfigured_cursor_is_warned_about_listed_and_dropped_after_the_grace_so_retention_proceeds()
    {
        using var dir = new TempSpoolDirectory();
        var options = Options(dir);
        await CreateCursorsAsync(options, committedToEnd: ["a", "b"], atStart: ["relay-c"]);
        var segments = dir.SegmentFiles();
        Assert.Equal(5, segments.Length); // relay-c holds them all

        var time = new SteppedTimeProvider(Start);
        var logger = new CapturingLogger();
        await using var spool = FileSpool.Open(options, logger, timeProvider: time, configuredConsumers: ["a", "b"]);

        var warning = Assert.Single(logger.WithId(1117));
        Assert.Contains("relay-c", warning);
        var orphan = Assert.Single(spool.GetStats().OrphanedConsumers!);
        Assert.Equal(new SpoolOrphanedConsumer("relay-c", 0, Start, Start + options.OrphanedCursorGrace), orphan);
        Assert.Equal(segments, dir.SegmentFiles());

        time.Advance(options.OrphanedCursorGrace - TimeSpan.FromMinutes(1));
        Assert.Equal(segments, dir.SegmentFiles());
        Assert.True(File.Exists(Path.Combine(dir.Path, FileSpool.ConsumerFolderName, "relay-c.cursor")));

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Contains("relay-c", Assert.Single(logger.WithId(1118)));
        Assert.Empty(spool.GetStats().OrphanedConsumers!);
        Assert.False(spool.GetStats().ConsumerOffsets.ContainsKey("relay-c"));
        Assert.False(File.Exists(Path.Combine(dir.Path, FileSpool.ConsumerFolderName, "relay-c.cursor")));
        Assert.Equal([segments[^1]], dir.SegmentFiles()); // a and b are past everything: retention proceeds
    }

    [Fact]
    public async Task The_grace_is_counted_from_the_first_open_without_the_consumer_across_restarts()
    {
        using var dir = new TempSpoolDirectory();
        var options = Options(dir);
        await CreateCursorsAsync(options, committedToEnd: ["a"], atStart: ["relay-c"]);
        await using (var first = FileSpool.Open(options, timeProvider: new SteppedTimeProvider(Start), configuredConsumers: ["a"]))
        {
            Assert.Equal(Start + options.OrphanedCursorGrace, Assert.Single(first.GetStats().OrphanedConsumers!).DropAt);
        }

        var later = Start + TimeSpan.FromHours(20);
        await using (var second = FileSpool.Open(options, timeProvider: new SteppedTimeProvider(later), configuredConsumers: ["a"]))
        {
            Assert.Equal(Start, Assert.Single(second.GetStats().OrphanedConsumers!).OrphanedSince); // not restarted
        }

        // Past the grace at the next start: dropped at open.
        await using var third = FileSpool.Open(options, timeProvider: new SteppedTimeProvider(Start + TimeSpan.FromHours(25)), configuredConsumers: ["a"]);
        Assert.Empty(third.GetStats().OrphanedConsumers!);
        Assert.False(third.GetStats().ConsumerOffsets.ContainsKey("relay-c"));
        Assert.Single(dir.SegmentFiles());
    }

    [Fact]
    public async Task A_consumer_configured_again_within_the_grace_keeps_its_cursor()
    {
        using var dir = new TempSpoolDirectory();
        var options = Options(dir);
        await CreateCursorsAsync(options, committedToEnd: ["a"], atStart: ["relay-c"]);
        await using (var spool = FileSpool.Open(options, timeProvider: new SteppedTimeProvider(Start), configuredConsumers: ["a"]))
        {
            Assert.Single(spool.GetStats().OrphanedConsumers!);
        }

        var time = new SteppedTimeProvider(Start + TimeSpan.FromHours(1));
        await using var again = FileSpool.Open(options, timeProvider: time, configuredConsumers: ["a", "relay-c"]);
        Assert.Empty(again.GetStats().OrphanedConsumers!);
        Assert.False(File.Exists(Path.Combine(dir.Path, FileSpool.ConsumerFolderName, "relay-c" + OrphanMarker.Extension)));
        time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(0, again.GetStats().ConsumerOffsets["relay-c"]);
        Assert.Equal(5, dir.SegmentFiles().Length);
    }

    [Fact]
    public async Task Without_a_configured_set_no_cursor_is_orphaned()
    {
        using var dir = new TempSpoolDirectory();
        var options = Options(dir);
        options.OrphanedCursorGrace = TimeSpan.Zero;
        await CreateCursorsAsync(options, committedToEnd: ["a"], atStart: ["relay-c"]);

        await using var spool = FileSpool.Open(options); // a tool opening the spool does not know the host's consumers
        Assert.Empty(spool.GetStats().OrphanedConsumers!);
        Assert.True(spool.GetStats().ConsumerOffsets.ContainsKey("relay-c"));
    }

    private static SpoolOptions Options(TempSpoolDirectory dir)
    {
        var options = dir.Options(segmentBytes: 4096);
        options.CursorPersistInterval = TimeSpan.Zero;
        return options;
    }

    /// <summary>Writes 40 records (five segments) and leaves cursors at the end or at the start.</summary>
    private static async Task CreateCursorsAsync(SpoolOptions options, string[] committedToEnd, string[] atStart)
    {
        await using var spool = FileSpool.Open(options);
        foreach (var name in atStart)
        {
            await spool.OpenConsumer(name).DisposeAsync();
        }

        for (var i = 0; i < 40; i++)
        {
            await spool.AppendCommittedAsync(Payload(i, PayloadBytes));
        }

        foreach (var name in committedToEnd)
        {
            await using var consumer = spool.OpenConsumer(name);
            await consumer.CommitAsync(spool.GetStats().NextOffset, CancellationToken.None);
        }
    }
}
