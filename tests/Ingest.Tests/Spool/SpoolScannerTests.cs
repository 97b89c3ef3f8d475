using Ingest.Spool;

namespace Ingest.Tests.Spool;

/// <summary>The read-only scanner verify and repair use: it reads beside a live spool without its lock, checks every record.</summary>
public sealed class SpoolScannerTests
{
    [Fact]
    public async Task Reads_every_committed_record_of_an_open_spool_across_segments_without_taking_its_lock()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options(segmentBytes: 4 * 1024));
        var appended = new List<(long Offset, byte[] Payload)>();
        for (int i = 0; i < 120; i++)
        {
            var payload = SpoolTestSupport.Payload(i, 90 + i % 7);
            appended.Add(((await spool.AppendCommittedAsync(payload)).Offset, payload));
        }
        Assert.True(dir.SegmentFiles().Length > 2);

        var scanner = SpoolScanner.Open(dir.Path);
        var read = scanner.Read(0, long.MaxValue).Select(r => (r.Offset, r.Payload.ToArray())).ToList();

        Assert.Equal(appended.Select(a => a.Offset), read.Select(r => r.Offset));
        Assert.All(appended.Zip(read), pair => Assert.Equal(pair.First.Payload, pair.Second.Item2));
        Assert.Empty(scanner.Damage);
        Assert.Equal(0, scanner.FirstOffset);
        // The spool still writes: the scanner held no lock and changed nothing.
        await spool.AppendCommittedAsync(SpoolTestSupport.Payload(999));
    }

    [Fact]
    public async Task An_offset_range_inside_segments_yields_exactly_the_records_that_start_in_it()
    {
        using var dir = new TempSpoolDirectory();
        var offsets = new List<long>();
        await using (var spool = FileSpool.Open(dir.Options(segmentBytes: 4 * 1024)))
        {
            for (int i = 0; i < 100; i++)
            {
                offsets.Add((await spool.AppendCommittedAsync(SpoolTestSupport.Payload(i))).Offset);
            }
        }
        long from = offsets[17] + 1; // inside record 17: it starts before the range
        long to = offsets[63];

        var read = SpoolScanner.Open(dir.Path).Read(from, to).Select(r => r.Offset).ToList();

        Assert.Equal(offsets.Where(o => o >= from && o < to), read);
    }

    [Fact]
    public async Task A_damaged_record_in_a_sealed_segment_is_reported_and_only_that_record_is_skipped()
    {
        using var dir = new TempSpoolDirectory();
        var offsets = new List<long>();
        await using (var spool = FileSpool.Open(dir.Options(segmentBytes: 4 * 1024)))
        {
            for (int i = 0; i < 100; i++)
            {
                offsets.Add((await spool.AppendCommittedAsync(SpoolTestSupport.Payload(i))).Offset);
            }
        }
        var first = dir.SegmentFiles()[0];
        using (var file = File.OpenWrite(first))
        {
            file.Position = SpoolFormat.SegmentHeaderBytes + 3 * 108 + 20; // inside the payload of the fourth record
            file.WriteByte(0xFF);
        }
        SpoolFormat.TryParseSegmentFileName(Path.GetFileName(dir.SegmentFiles()[1]), out var secondBase);

        var scanner = SpoolScanner.Open(dir.Path);
        var read = scanner.Read(0, long.MaxValue).Select(r => r.Offset).ToList();

        Assert.Equal(offsets.Where((_, i) => i != 3), read);
        var damage = Assert.Single(scanner.Damage);
        Assert.Equal(SpoolCorruptionKind.CorruptRecord, damage.Kind);
        Assert.Equal(offsets[3], damage.Offset);
        Assert.Equal(offsets[4] - offsets[3], damage.Bytes);
    }

    [Fact]
    public async Task The_cursor_of_a_consumer_is_read_from_its_file_and_is_null_for_an_unknown_consumer()
    {
        using var dir = new TempSpoolDirectory();
        long next;
        await using (var spool = FileSpool.Open(dir.Options()))
        {
            await spool.AppendCommittedAsync(SpoolTestSupport.Payload(1));
            next = (await spool.AppendCommittedAsync(SpoolTestSupport.Payload(2))).Offset;
            await using var consumer = spool.OpenConsumer("clickhouse");
            await consumer.CommitAsync(next, CancellationToken.None);
        }

        var scanner = SpoolScanner.Open(dir.Path);

        Assert.Equal(next, scanner.ReadCursor("clickhouse"));
        Assert.Null(scanner.ReadCursor("redis"));
    }

    [Fact]
    public void A_missing_folder_is_an_error_not_an_empty_spool()
    {
        Assert.Throws<DirectoryNotFoundException>(() => SpoolScanner.Open(Path.Combine(Path.GetTempPath(), "no-such-spool-" + Guid.NewGuid().ToString("N"))));
    }
}
