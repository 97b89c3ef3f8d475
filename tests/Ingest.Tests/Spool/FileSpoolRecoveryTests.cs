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
    public async Task A_corrupt_record_in_a_sealed_segment_loses_only_that_record()
    {
        using var dir = new TempSpoolDirectory();
        var written = await WriteAsync(dir, count: 24, payloadBytes: 500, segmentBytes: 4096); // 8 records per segment
        var firstSegment = dir.SegmentFiles()[0];
        FlipBit(firstSegment, FilePosition(written[3].Offset) + 8 + 100);

        await using var spool = FileSpool.Open(dir.Options(segmentBytes: 4096));
        Assert.Null(spool.Recovery.Truncation); // only the last segment is scanned at open
        await using var consumer = spool.OpenConsumer("check");
        var records = await consumer.ReadAllAsync();

        var expected = written.Where((_, i) => i != 3).Select(w => w.Payload);
        Assert.Equal(expected, records.Select(r => r.Payload));
        Assert.Equal(written[4].Offset, records[3].Offset); // resynchronised on the very next record
        Assert.Equal(1, spool.GetStats().CorruptionEvents);
    }

    [Theory]
    [InlineData(5)] // deep inside the last segment: more than one commit (MaxBatchBytes) before its end
    [InlineData(18)] // near its end: within MaxBatchBytes of it, where sizes alone would call it a torn tail
    public async Task A_damaged_record_in_the_last_segment_is_skipped_and_every_other_acknowledged_record_kept(int damaged)
    {
        using var dir = new TempSpoolDirectory();
        // maxBatchBytes 2048: the old rule cut whatever followed a bad record when that was at most 2048 bytes.
        var options = dir.Options(segmentBytes: 64 * 1024, maxRecordBytes: 1024, maxBatchBytes: 2048);
        var written = await WriteAsync(options, count: 20, payloadBytes: 500);
        var segment = dir.SegmentFiles().Single();
        FlipBit(segment, FilePosition(written[damaged].Offset) + 8 + 10);

        await using var spool = FileSpool.Open(options);

        Assert.Null(spool.Recovery.Truncation);
        var damage = Assert.Single(spool.Recovery.Corruptions);
        Assert.Equal(SpoolCorruptionKind.CorruptRecord, damage.Kind);
        Assert.Equal(written[damaged].Offset, damage.Offset);
        Assert.Equal(508, damage.Bytes);
        var end = written[^1].Offset + 508;
        Assert.Equal(end, spool.GetStats().NextOffset);
        Assert.Equal(end, (await spool.AppendCommittedAsync(Payload(500, 40))).Offset);
        Assert.Single(dir.SegmentFiles()); // appends continue in the same segment

        await using var consumer = spool.OpenConsumer("check");
        var records = await consumer.ReadAllAsync();
        var expected = written.Where((_, i) => i != damaged).Select(w => w.Payload).Append(Payload(500, 40));
        Assert.Equal(expected, records.Select(r => r.Payload));
    }

    [Fact]
    public async Task One_flipped_bit_in_a_large_last_segment_costs_one_record_not_the_tail()
    {
        // The hostile run: many group commits of many records, one bit flipped well before the end (which is within
        // MaxBatchBytes of it for the old rule to call it torn).
        using var dir = new TempSpoolDirectory();
        var options = dir.Options(segmentBytes: 8 * 1024 * 1024, diskBudgetBytes: 64 * 1024 * 1024, maxRecordBytes: 1024, maxBatchBytes: 64 * 1024);
        var written = new List<(long Offset, byte[] Payload)>();
        await using (var spool = FileSpool.Open(options))
        {
            for (var round = 0; round < 40; round++)
            {
                var payloads = Enumerable.Range(round * 100, 100).Select(i => Payload(i, 200)).ToArray();
                var results = await Task.WhenAll(payloads.Select(p => spool.AppendCommittedAsync(p)));
                written.AddRange(results.Select((r, i) => (r.Offset, payloads[i])));
            }
        }

        written.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        var victim = written.FindIndex(w => w.Offset >= written[^1].Offset - (40 * 1024));
        FlipBit(dir.SegmentFiles().Single(), FilePosition(written[victim].Offset) + 8 + 3);

        await using var reopened = FileSpool.Open(options);

        Assert.Null(reopened.Recovery.Truncation);
        Assert.Equal(written[victim].Offset, Assert.Single(reopened.Recovery.Corruptions).Offset);
        await using var consumer = reopened.OpenConsumer("check");
        var records = await consumer.ReadAllAsync();
        Assert.Equal(written.Count - 1, records.Count);
        Assert.Equal(written.Where((_, i) => i != victim).Select(w => w.Offset), records.Select(r => r.Offset));
    }

    [Fact]
    public async Task After_the_last_commit_end_everything_from_the_first_invalid_byte_is_cut()
    {
        using var dir = new TempSpoolDirectory();
        var written = await WriteAsync(dir, count: 3, payloadBytes: 100);
        var end = written[^1].Offset + 108;
        var segment = dir.SegmentFiles().Single();
        // An unfinished commit: one whole record without the commit-end bit, garbage, then a record that validates
        // at its place but has no commit-end bit either (its commit never completed). Only what precedes the first
        // invalid byte after the last commit end is kept.
        var first = Record(end, Payload(10, 100), commitEnd: false);
        var garbage = Payload(11, 30);
        var later = Record(end + first.Length + garbage.Length, Payload(12, 100), commitEnd: false);
        using (var file = new FileStream(segment, FileMode.Append))
        {
            file.Write(first);
            file.Write(garbage);
            file.Write(later);
        }

        await using var spool = FileSpool.Open(dir.Options());

        var cut = Assert.IsType<SpoolTruncation>(spool.Recovery.Truncation);
        Assert.Equal(end + first.Length, cut.Offset);
        Assert.Equal(garbage.Length + later.Length, cut.Bytes);
        Assert.Empty(spool.Recovery.Corruptions);
        await using var consumer = spool.OpenConsumer("check");
        Assert.Equal(written.Select(w => w.Payload).Append(Payload(10, 100)), (await consumer.ReadAllAsync()).Select(r => r.Payload));
    }

    [Fact]
    public async Task A_version_1_segment_stays_readable_and_appends_continue_in_a_new_segment()
    {
        using var dir = new TempSpoolDirectory();
        // A format 1 segment as the old writer left it: no commit-end bits, a damaged record, and a torn tail.
        var payloads = Enumerable.Range(0, 6).Select(i => Payload(i, 100)).ToArray();
        using (var file = new FileStream(Path.Combine(dir.Path, SpoolFormat.SegmentFileName(0)), FileMode.CreateNew))
        {
            var header = new byte[SpoolFormat.SegmentHeaderBytes];
            SpoolFormat.WriteSegmentHeader(header, 0, version: 1);
            file.Write(header);
            for (var i = 0; i < payloads.Length; i++)
            {
                var record = Record(i * 108L, payloads[i], commitEnd: false);
                if (i == 2)
                {
                    record[50] ^= 0x10;
                }

                file.Write(i == 5 ? record.AsSpan(0, 60) : record);
            }
        }

        await using var spool = FileSpool.Open(dir.Options());

        Assert.Equal(5 * 108, Assert.IsType<SpoolTruncation>(spool.Recovery.Truncation).Offset);
        Assert.Equal(2 * 108, Assert.Single(spool.Recovery.Corruptions).Offset);
        Assert.Equal(5 * 108, (await spool.AppendCommittedAsync(Payload(9, 100))).Offset);
        Assert.Equal(2, dir.SegmentFiles().Length);
        await using var consumer = spool.OpenConsumer("check");
        var expected = new[] { payloads[0], payloads[1], payloads[3], payloads[4], Payload(9, 100) };
        Assert.Equal(expected, (await consumer.ReadAllAsync()).Select(r => r.Payload));
    }

    [Fact]
    public async Task A_reader_skips_only_a_record_damaged_in_the_active_segment()
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        var written = new List<(long Offset, byte[] Payload)>();
        for (var i = 0; i < 10; i++)
        {
            written.Add(((await spool.AppendCommittedAsync(Payload(i, 100))).Offset, Payload(i, 100)));
        }

        FlipBit(dir.SegmentFiles().Single(), FilePosition(written[4].Offset) + 8 + 50); // bit rot under a running spool

        await using var consumer = spool.OpenConsumer("check");
        var records = await consumer.ReadAllAsync();
        Assert.Equal(written.Where((_, i) => i != 4).Select(w => w.Payload), records.Select(r => r.Payload));
        Assert.Equal(1, spool.GetStats().CorruptionEvents);
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

    private static byte[] Record(long offset, byte[] payload, bool commitEnd)
    {
        var record = new byte[SpoolFormat.RecordBytes(payload.Length)];
        SpoolFormat.WriteRecordHeader(record, offset, payload, commitEnd);
        payload.CopyTo(record, SpoolFormat.RecordHeaderBytes);
        return record;
    }

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
