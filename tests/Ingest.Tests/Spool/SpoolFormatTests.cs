using System.Buffers;
using System.Text;
using Ingest.Spool;

namespace Ingest.Tests.Spool;

public class SpoolFormatTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xC1D04330u)]
    [InlineData("123456789", 0xE3069283u)] // the CRC-32C check value (RFC 3720 / Castagnoli)
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void Crc32C_matches_the_published_check_values(string text, uint expected) =>
        Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Crc32C_of_32_zero_bytes_matches_rfc3720() =>
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));

    [Fact]
    public void A_record_is_valid_only_at_the_offset_it_was_written_for()
    {
        var payload = SpoolTestSupport.Payload(7, 40);
        var record = new byte[SpoolFormat.RecordBytes(payload.Length)];
        SpoolFormat.WriteRecordHeader(record, 4096, payload);
        payload.CopyTo(record, SpoolFormat.RecordHeaderBytes);

        Assert.Equal(RecordCheck.Valid, SpoolFormat.CheckRecord(record, 4096, out var length));
        Assert.Equal(40, length);
        Assert.Equal(RecordCheck.Invalid, SpoolFormat.CheckRecord(record, 4104, out _));
    }

    [Fact]
    public void A_record_cut_short_needs_more_bytes_and_a_zero_length_is_invalid()
    {
        var payload = SpoolTestSupport.Payload(1, 40);
        var record = new byte[SpoolFormat.RecordBytes(payload.Length)];
        SpoolFormat.WriteRecordHeader(record, 0, payload);
        payload.CopyTo(record, SpoolFormat.RecordHeaderBytes);

        Assert.Equal(RecordCheck.NeedMoreBytes, SpoolFormat.CheckRecord(record.AsSpan(0, 5), 0, out _));
        Assert.Equal(RecordCheck.NeedMoreBytes, SpoolFormat.CheckRecord(record.AsSpan(0, 20), 0, out var length));
        Assert.Equal(40, length);
        Assert.Equal(RecordCheck.Invalid, SpoolFormat.CheckRecord(new byte[64], 0, out _));
    }

    [Fact]
    public void Segment_header_names_its_base_offset_and_rejects_any_other()
    {
        var header = new byte[SpoolFormat.SegmentHeaderBytes];
        SpoolFormat.WriteSegmentHeader(header, 123_456);

        Assert.True(SpoolFormat.IsValidSegmentHeader(header, 123_456));
        Assert.False(SpoolFormat.IsValidSegmentHeader(header, 123_457));
        header[20] ^= 1;
        Assert.False(SpoolFormat.IsValidSegmentHeader(header, 123_456));
    }

    [Fact]
    public void The_commit_end_bit_is_part_of_the_checksummed_length_field()
    {
        var payload = SpoolTestSupport.Payload(3, 40);
        var record = new byte[SpoolFormat.RecordBytes(payload.Length)];
        SpoolFormat.WriteRecordHeader(record, 512, payload, commitEnd: true);
        payload.CopyTo(record, SpoolFormat.RecordHeaderBytes);

        Assert.Equal(RecordCheck.Valid, SpoolFormat.CheckRecord(record, 512, SpoolFormat.MaxPayloadBytes, out var length, out var commitEnd));
        Assert.Equal(40, length);
        Assert.True(commitEnd);
        record[3] ^= 0x80; // clear the bit: the record no longer validates
        Assert.Equal(RecordCheck.Invalid, SpoolFormat.CheckRecord(record, 512, out _));
    }

    [Fact]
    public void A_batch_marks_its_last_record_as_the_commit_end_also_across_chunk_boundaries()
    {
        var batch = new PendingBatch();
        batch.Begin(1000, 0, rollsSegment: false);
        var payloads = new[] { SpoolTestSupport.Payload(1, 131_000), SpoolTestSupport.Payload(2, 2000) }; // the 2nd straddles 128 KiB
        var offset = 1000L;
        // The first as a prefix alone, the second as a short prefix and a body of 7-byte segments (the session's shape).
        batch.Append(offset, payloads[0], ReadOnlySequence<byte>.Empty);
        offset += SpoolFormat.RecordBytes(payloads[0].Length);
        batch.Append(offset, payloads[1].AsSpan(0, 20), global::Protocol.Tests.Support.Segments.Split(payloads[1][20..], 7));

        batch.MarkCommitEnd();
        var bytes = batch.Buffers().SelectMany(b => b.ToArray()).ToArray();
        batch.Reset();

        Assert.Equal(RecordCheck.Valid, SpoolFormat.CheckRecord(bytes, 1000, SpoolFormat.MaxPayloadBytes, out var first, out var firstEnds));
        Assert.False(firstEnds);
        var second = bytes.AsSpan(SpoolFormat.RecordBytes(first));
        Assert.Equal(RecordCheck.Valid, SpoolFormat.CheckRecord(second, 1000 + SpoolFormat.RecordBytes(first), SpoolFormat.MaxPayloadBytes, out var length, out var ends));
        Assert.True(ends);
        Assert.Equal(payloads[1], second.Slice(SpoolFormat.RecordHeaderBytes, length).ToArray());
    }

    [Fact]
    public void The_scanner_resynchronises_on_the_next_record_that_validates_at_its_place()
    {
        var path = Path.Combine(Path.GetTempPath(), "spool-tests", Guid.NewGuid().ToString("N") + ".seg");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            var first = SpoolTestSupport.Payload(1, 64);
            var second = SpoolTestSupport.Payload(2, 64);
            var file = new byte[SpoolFormat.SegmentHeaderBytes + 72 + 40 + 72];
            SpoolFormat.WriteSegmentHeader(file, 4096);
            WriteRecord(file, SpoolFormat.SegmentHeaderBytes, 4096, first);
            file.AsSpan(SpoolFormat.SegmentHeaderBytes + 72, 40).Fill(0x20); // 40 bytes of damage, lengths implausible
            var secondAt = SpoolFormat.SegmentHeaderBytes + 72 + 40;
            WriteRecord(file, secondAt, 4096 + 72 + 40, second);
            File.WriteAllBytes(path, file);

            using var handle = SegmentFiles.OpenForRead(path);
            using var scanner = new SegmentScanner(handle, 4096, 1024);
            Assert.True(scanner.IsValidRecord(SpoolFormat.SegmentHeaderBytes, file.Length, out _, out _));
            Assert.False(scanner.IsValidRecord(SpoolFormat.SegmentHeaderBytes + 72, file.Length, out _, out _));
            Assert.Equal(secondAt, scanner.FindNextRecord(SpoolFormat.SegmentHeaderBytes + 73, file.Length));
            Assert.Equal(-1, scanner.FindNextRecord(secondAt + 1, file.Length));
            Assert.Equal(-1, scanner.FindNextRecord(SpoolFormat.SegmentHeaderBytes + 73, file.Length - 1)); // must end before the limit
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void WriteRecord(byte[] file, int position, long offset, byte[] payload)
    {
        SpoolFormat.WriteRecordHeader(file.AsSpan(position), offset, payload);
        payload.CopyTo(file, position + SpoolFormat.RecordHeaderBytes);
    }

    [Theory]
    [InlineData(0L, "00000000000000000000.seg")]
    [InlineData(65_536L, "00000000000000065536.seg")]
    public void Segment_file_names_sort_by_offset_and_parse_back(long offset, string name)
    {
        Assert.Equal(name, SpoolFormat.SegmentFileName(offset));
        Assert.True(SpoolFormat.TryParseSegmentFileName(name, out var parsed));
        Assert.Equal(offset, parsed);
        Assert.False(SpoolFormat.TryParseSegmentFileName(name + ".tmp", out _));
    }
}
