using Ingest.Spool;
using static Ingest.Tests.Spool.SpoolTestSupport;

namespace Ingest.Tests.Spool;

public class FileSpoolRecoveryTests
{
    public enum TailDamage
    {
        TruncatedMidPayload,
        TruncatedMidHeader,
        FlippedBitInLastPayload,
        FlippedBitInLastLength,
        GarbageAppended,
        ZerosAppended,
    }

    [Theory]
    [InlineData(TailDamage.TruncatedMidPayload, 9)]
    [InlineData(TailDamage.TruncatedMidHeader, 9)]
    [InlineData(TailDamage.FlippedBitInLastPayload, 9)]
    [InlineData(TailDamage.FlippedBitInLastLength, 9)]
    [InlineData(TailDamage.GarbageAppended, 10)]
    [InlineData(TailDamage.ZerosAppended, 10)]
    public async Task A_torn_tail_is_cut_and_every_record_before_it_stays_intact(TailDamage damage, int survivors)
    {
        using var dir = new TempSpoolDirectory();
        var written = await WriteAsync(dir, count: 10, payloadBytes: 200);
        var last = written[^1];
        var segment = dir.SegmentFiles().Single();
        Damage(segment, damage, last);

        await using var spool = FileSpool.Open(dir.Options());

        var cut = Assert.IsType<SpoolTruncation>(spool.Recovery.Truncation);
        Assert.Equal(written[survivors - 1].Offset + 208, cut.Offset);
        Assert.Empty(spool.Recovery.Corruptions);
        Assert.Equal(cut.Offset, spool.GetStats().NextOffset);
        await using var consumer = spool.OpenConsumer("check");
        var records = await consumer.ReadAllAsync();
        Assert.Equal(written.Take(survivors).Select(w => w.Payload), records.Select(r => r.Payload));

        var next = await spool.AppendCommittedAsync(Payload(77, 50));
        Assert.Equal(cut.Offset, next.Offset);
        Assert.Equal(Payload(77, 50), (await consumer.ReadAllAsync()).Single().Payload);
    }

    [Fact]
    public async Task A_clean_spool_reports_no_repair()
    {
        using var dir = new TempSpoolDirectory();
        await WriteAsync(dir, count: 3, payloadBytes: 50);

        await using var spool = FileSpool.Open(dir.Options());

        Assert.Null(spool.Recovery.Truncation);
        Assert.Empty(spool.Recovery.Corruptions);
        Assert.Equal(3 * 58, spool.Recovery.NextOffset);
    }

    [Fact]
    public async Task A_corrupt_record_in_a_sealed_segment_is_reported_and_skipped_without_failing()
    {
        using var dir = new TempSpoolDirectory();
        var written = await WriteAsync(dir, count: 24, payloadBytes: 500, segmentBytes: 4096); // 8 records per segment
        var firstSegment = dir.SegmentFiles()[0];
        FlipBit(firstSegment, FilePosition(written[3].Offset) + 8 + 100);

        await using var spool = FileSpool.Open(dir.Options(segmentBytes: 4096));
        Assert.Null(spool.Recovery.Truncation); // only the last segment is scanned at open
        await using var consumer = spool.OpenConsumer("check");
        var records = await consumer.ReadAllAsync();

        var expected = written.Take(3).Concat(written.Skip(8)).Select(w => w.Payload);
        Assert.Equal(expected, records.Select(r => r.Payload));
        Assert.Equal(1, spool.GetStats().CorruptionEvents);
    }

    [Fact]
    public async Task Damage_deeper_than_one_commit_in_the_last_segment_is_sealed_not_cut()
    {
        using var dir = new TempSpoolDirectory();
        // maxBatchBytes 2048: an unfinished commit leaves at most 2048 bytes after the last good record.
        var options = dir.Options(segmentBytes: 64 * 1024, maxRecordBytes: 1024, maxBatchBytes: 2048);
        var written = await WriteAsync(options, count: 20, payloadBytes: 500);
        var segment = dir.SegmentFiles().Single();
        FlipBit(segment, FilePosition(written[5].Offset) + 8 + 10);

        await using var spool = FileSpool.Open(options);

        Assert.Null(spool.Recovery.Truncation);
        var damage = Assert.Single(spool.Recovery.Corruptions);
        Assert.Equal(SpoolCorruptionKind.CorruptTail, damage.Kind);
        Assert.Equal(written[5].Offset, damage.Offset);
        Assert.Equal(15 * 508, damage.Bytes);
        var end = written[^1].Offset + 508;
        Assert.Equal(end, spool.GetStats().NextOffset); // offsets are not reused
        Assert.Equal(end, (await spool.AppendCommittedAsync(Payload(500, 40))).Offset);
        Assert.Equal(2, dir.SegmentFiles().Length);

        await using var consumer = spool.OpenConsumer("check");
        var records = await consumer.ReadAllAsync();
        Assert.Equal(written.Take(5).Select(w => w.Payload).Append(Payload(500, 40)), records.Select(r => r.Payload));
    }

    [Fact]
    public async Task A_segment_with_a_damaged_header_is_set_aside_and_reported()
    {
        using var dir = new TempSpoolDirectory();
        var written = await WriteAsync(dir, count: 24, payloadBytes: 500, segmentBytes: 4096);
        var segments = dir.SegmentFiles();
        FlipBit(segments[1], 3);

        await using var spool = FileSpool.Open(dir.Options(segmentBytes: 4096));

        var damage = Assert.Single(spool.Recovery.Corruptions, c => c.Kind == SpoolCorruptionKind.BadSegmentHeader);
        Assert.Equal(written[8].Offset, damage.Offset);
        Assert.True(File.Exists(segments[1] + ".corrupt"));
        await using var consumer = spool.OpenConsumer("check");
        var records = await consumer.ReadAllAsync();
        Assert.Equal(written.Take(8).Concat(written.Skip(16)).Select(w => w.Payload), records.Select(r => r.Payload));
    }

    [Fact]
    public async Task A_leftover_temp_segment_from_an_interrupted_roll_is_removed()
    {
        using var dir = new TempSpoolDirectory();
        var written = await WriteAsync(dir, count: 3, payloadBytes: 50);
        var temp = Path.Combine(dir.Path, SpoolFormat.SegmentFileName(written[^1].Offset + 58) + ".tmp");
        await File.WriteAllBytesAsync(temp, new byte[10]);

        await using var spool = FileSpool.Open(dir.Options());

        Assert.False(File.Exists(temp));
        Assert.Equal(written[^1].Offset + 58, (await spool.AppendCommittedAsync(Payload(1, 10))).Offset);
    }

    [Fact]
    public async Task A_damaged_cursor_file_replays_from_the_oldest_record()
    {
        using var dir = new TempSpoolDirectory();
        await using (var spool = FileSpool.Open(dir.Options()))
        {
            await using var consumer = spool.OpenConsumer("sink");
            for (var i = 0; i < 5; i++)
            {
                await spool.AppendCommittedAsync(Payload(i));
            }

            await consumer.CommitAsync(spool.GetStats().NextOffset, CancellationToken.None);
        }

        var cursor = Path.Combine(dir.Path, FileSpool.ConsumerFolderName, "sink.cursor");
        FlipBit(cursor, 9);

        await using var reopened = FileSpool.Open(dir.Options());
        Assert.Contains(reopened.Recovery.Corruptions, c => c.Kind == SpoolCorruptionKind.BadCursorFile);
        await using var replaying = reopened.OpenConsumer("sink");
        Assert.Equal(5, (await replaying.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task Offsets_resume_after_the_highest_cursor_when_the_log_lost_its_end()
    {
        using var dir = new TempSpoolDirectory();
        long committed;
        await using (var spool = FileSpool.Open(dir.Options()))
        {
            await using var consumer = spool.OpenConsumer("sink");
            for (var i = 0; i < 5; i++)
            {
                await spool.AppendCommittedAsync(Payload(i));
            }

            committed = spool.GetStats().NextOffset;
            await consumer.CommitAsync(committed, CancellationToken.None);
        }

        foreach (var segment in dir.SegmentFiles())
        {
            File.Delete(segment);
        }

        await using var reopened = FileSpool.Open(dir.Options());

        Assert.Equal(committed, (await reopened.AppendCommittedAsync(Payload(9))).Offset);
    }

    private static long FilePosition(long offset) => offset + SpoolFormat.SegmentHeaderBytes; // first segment only

    private static Task<List<(long Offset, byte[] Payload)>> WriteAsync(
        TempSpoolDirectory dir, int count, int payloadBytes, long segmentBytes = 16 * 1024) =>
        WriteAsync(dir.Options(segmentBytes: segmentBytes), count, payloadBytes);

    private static async Task<List<(long Offset, byte[] Payload)>> WriteAsync(SpoolOptions options, int count, int payloadBytes)
    {
        var written = new List<(long, byte[])>();
        await using var spool = FileSpool.Open(options);
        for (var i = 0; i < count; i++)
        {
            var payload = Payload(i, payloadBytes);
            written.Add(((await spool.AppendCommittedAsync(payload)).Offset, payload));
        }

        return written;
    }

    private static void Damage(string segment, TailDamage damage, (long Offset, byte[] Payload) last)
    {
        var lastStart = FilePosition(last.Offset);
        using var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite);
        switch (damage)
        {
            case TailDamage.TruncatedMidPayload:
                file.SetLength(lastStart + 8 + (last.Payload.Length / 2));
                break;
            case TailDamage.TruncatedMidHeader:
                file.SetLength(lastStart + 3);
                break;
            case TailDamage.FlippedBitInLastPayload:
                Flip(file, lastStart + 8 + last.Payload.Length - 1);
                break;
            case TailDamage.FlippedBitInLastLength:
                Flip(file, lastStart + 1);
                break;
            case TailDamage.GarbageAppended:
                file.Seek(0, SeekOrigin.End);
                file.Write([100, 0, 0, 0]); // a plausible length ...
                file.Write(Payload(3, 146)); // ... then bytes whose checksum fails
                break;
            case TailDamage.ZerosAppended:
                file.SetLength(file.Length + 4096); // a file extended without its data, as a crash can leave it
                break;
        }
    }

    private static void FlipBit(string path, long position)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        Flip(file, position);
    }

    private static void Flip(FileStream file, long position)
    {
        file.Position = position;
        var b = file.ReadByte();
        file.Position = position;
        file.WriteByte((byte)(b ^ 0x10));
    }
}
