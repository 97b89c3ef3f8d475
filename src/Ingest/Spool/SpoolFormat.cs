using System.Buffers.Binary;
using System.Globalization;

namespace Ingest.Spool;

/// <summary>
/// The on-disk layout. All integers are little-endian.
/// <code>
/// segment file "{base offset, 20 decimal digits}.seg":
///   header (32 bytes): magic "INGSPOOL" | version u32 | reserved u32 | base offset u64 | CRC-32C of bytes 0..23 u32 | reserved u32
///   records back to back until the end of the file
/// record: length field u32 | CRC-32C over (length field u32, logical offset u64, payload) u32 | payload
///   length field: payload length (1 .. 16 MiB) in bits 0..30; bit 31 set on the last record of each group commit
/// </code>
/// A record's logical offset is the segment's base offset plus its file position minus the header size, so offsets
/// are contiguous across segments: a sealed segment ends exactly where the next one begins. Mixing the offset into
/// the checksum means a record is only valid at the place it was written (stale or shifted bytes never validate).
/// <para>
/// Version 2 added the commit-end bit: the last record of every group commit carries it, written in the same write and
/// fsync as the rest of the commit, so recovery knows where the last durable commit ended instead of guessing from sizes
/// (see <see cref="SpoolRecovery"/>). Version 1 segments (no commit-end bits) stay readable; recovery never appends to
/// one again. Because the bit lives inside a record header, offsets stay contiguous and readers need no marker records.
/// </para>
/// </summary>
internal static class SpoolFormat
{
    public const int SegmentHeaderBytes = 32;
    public const int RecordHeaderBytes = 8;

    /// <summary>The format's hard limit on one payload; <see cref="SpoolOptions.MaxRecordBytes"/> must stay within it.</summary>
    public const int MaxPayloadBytes = 16 * 1024 * 1024;

    /// <summary>The format written. Readers accept every version from <see cref="OldestReadableVersion"/> up to this one.</summary>
    public const uint Version = 2;

    /// <summary>Version 1: records without the commit-end bit (before 2026-11-29).</summary>
    public const uint OldestReadableVersion = 1;

    /// <summary>Bit 31 of a record's length field: this record ends a group commit.</summary>
    public const uint CommitEndFlag = 0x8000_0000;
    public const string SegmentExtension = ".seg";
    public const string TempExtension = ".tmp";
    private const int SegmentFileNameDigits = 20;

    private static ReadOnlySpan<byte> SegmentMagic => "INGSPOOL"u8;

    public static string SegmentFileName(long baseOffset) =>
        baseOffset.ToString("D20", CultureInfo.InvariantCulture) + SegmentExtension;

    public static bool TryParseSegmentFileName(string fileName, out long baseOffset)
    {
        baseOffset = -1;
        if (fileName.Length != SegmentFileNameDigits + SegmentExtension.Length
            || !fileName.EndsWith(SegmentExtension, StringComparison.Ordinal))
        {
            return false;
        }

        return long.TryParse(
            fileName.AsSpan(0, SegmentFileNameDigits),
            NumberStyles.None,
            CultureInfo.InvariantCulture,
            out baseOffset);
    }

    /// <summary>Writes a segment header; <paramref name="version"/> other than <see cref="Version"/> only in tests.</summary>
    public static void WriteSegmentHeader(Span<byte> destination, long baseOffset, uint version = Version)
    {
        var header = destination[..SegmentHeaderBytes];
        header.Clear();
        SegmentMagic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], version);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], baseOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], Crc32C.Compute(header[..24]));
    }

    /// <summary>True when the header is intact, of a readable version and names <paramref name="expectedBaseOffset"/>.</summary>
    public static bool IsValidSegmentHeader(ReadOnlySpan<byte> header, long expectedBaseOffset) =>
        SegmentVersion(header, expectedBaseOffset) != 0;

    /// <summary>The format version of an intact header naming <paramref name="expectedBaseOffset"/>; 0 when invalid.</summary>
    public static uint SegmentVersion(ReadOnlySpan<byte> header, long expectedBaseOffset)
    {
        if (header.Length < SegmentHeaderBytes
            || !header[..8].SequenceEqual(SegmentMagic)
            || BinaryPrimitives.ReadInt64LittleEndian(header[16..]) != expectedBaseOffset
            || BinaryPrimitives.ReadUInt32LittleEndian(header[24..]) != Crc32C.Compute(header[..24]))
        {
            return 0;
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        return version is >= OldestReadableVersion and <= Version ? version : 0;
    }

    public static int RecordBytes(int payloadLength) => RecordHeaderBytes + payloadLength;

    /// <summary>Writes the 8-byte header of a record at logical <paramref name="offset"/>.</summary>
    /// <param name="destination">At least 8 bytes.</param>
    /// <param name="offset">The record's logical offset (part of the checksum).</param>
    /// <param name="payload">The payload that follows the header.</param>
    /// <param name="commitEnd">The record is the last of its group commit (sets <see cref="CommitEndFlag"/>).</param>
    public static void WriteRecordHeader(Span<byte> destination, long offset, ReadOnlySpan<byte> payload, bool commitEnd = false)
    {
        var field = (uint)payload.Length | (commitEnd ? CommitEndFlag : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination, field);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], RecordChecksum(field, offset, payload));
    }

    /// <summary>
    /// Checks the record that starts at the beginning of <paramref name="bytes"/>, which sits at logical
    /// <paramref name="offset"/>. <paramref name="payloadLength"/> is set whenever the length field is readable and
    /// plausible, also for <see cref="RecordCheck.NeedMoreBytes"/>.
    /// </summary>
    public static RecordCheck CheckRecord(ReadOnlySpan<byte> bytes, long offset, out int payloadLength) =>
        CheckRecord(bytes, offset, MaxPayloadBytes, out payloadLength, out _);

    /// <summary>
    /// As <see cref="CheckRecord(ReadOnlySpan{byte}, long, out int)"/>, treating lengths above
    /// <paramref name="maxPayloadBytes"/> as invalid; <paramref name="commitEnd"/> tells whether a valid record ends its
    /// group commit.
    /// </summary>
    public static RecordCheck CheckRecord(
        ReadOnlySpan<byte> bytes, long offset, int maxPayloadBytes, out int payloadLength, out bool commitEnd)
    {
        payloadLength = 0;
        commitEnd = false;
        if (bytes.Length < RecordHeaderBytes)
        {
            return RecordCheck.NeedMoreBytes;
        }

        var field = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        var length = (int)(field & ~CommitEndFlag);
        if (length <= 0 || length > maxPayloadBytes)
        {
            return RecordCheck.Invalid;
        }

        payloadLength = length;
        if (bytes.Length < RecordHeaderBytes + length)
        {
            return RecordCheck.NeedMoreBytes;
        }

        var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        var payload = bytes.Slice(RecordHeaderBytes, length);
        if (stored != RecordChecksum(field, offset, payload))
        {
            return RecordCheck.Invalid;
        }

        commitEnd = (field & CommitEndFlag) != 0;
        return RecordCheck.Valid;
    }

    private static uint RecordChecksum(uint lengthField, long offset, ReadOnlySpan<byte> payload) =>
        ~Crc32C.Append(BeginRecordChecksum(lengthField, offset), payload);

    /// <summary>
    /// The unfinished record checksum over (length field, offset); continue it with <see cref="Crc32C.Append"/> over the
    /// payload and finish it with <c>~</c>. For a payload that lies in pieces (the writer's pooled chunks).
    /// </summary>
    public static uint BeginRecordChecksum(uint lengthField, long offset)
    {
        Span<byte> prefix = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(prefix, lengthField);
        BinaryPrimitives.WriteInt64LittleEndian(prefix[4..], offset);
        return Crc32C.Append(Crc32C.Seed, prefix);
    }
}

internal enum RecordCheck : byte
{
    Valid,
    NeedMoreBytes,
    /// <summary>Impossible length or checksum mismatch: torn, corrupt, or not a record boundary.</summary>
    Invalid,
}
