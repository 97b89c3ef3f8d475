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
