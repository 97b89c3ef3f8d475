using System.Buffers.Binary;
using System.Globalization;

namespace Ingest.Spool;

/// <summary>
/// The on-disk layout. All integers are little-endian.
/// <code>
/// segment file "{base offset, 20 decimal digits}.seg":
///   header (32 bytes): magic "INGSPOOL" | version u32 | reserved u32 | base offset u64 | CRC-32C of bytes 0..23 u32 | reserved u32
///   records back to back until the end of the file
/// record: payload length u32 (1 .. 16 MiB) | CRC-32C over (length u32, logical offset u64, payload) u32 | payload
/// </code>
/// A record's logical offset is the segment's base offset plus its file position minus the header size, so offsets
/// are contiguous across segments: a sealed segment ends exactly where the next one begins. Mixing the offset into
/// the checksum means a record is only valid at the place it was written (stale or shifted bytes never validate).
/// </summary>
internal static class SpoolFormat
{
    public const int SegmentHeaderBytes = 32;
    public const int RecordHeaderBytes = 8;

    /// <summary>The format's hard limit on one payload; <see cref="SpoolOptions.MaxRecordBytes"/> must stay within it.</summary>
    public const int MaxPayloadBytes = 16 * 1024 * 1024;

    public const uint Version = 1;
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

    public static void WriteSegmentHeader(Span<byte> destination, long baseOffset)
    {
        var header = destination[..SegmentHeaderBytes];
        header.Clear();
        SegmentMagic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], baseOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], Crc32C.Compute(header[..24]));
    }

    /// <summary>True when the header is intact and names <paramref name="expectedBaseOffset"/>.</summary>
    public static bool IsValidSegmentHeader(ReadOnlySpan<byte> header, long expectedBaseOffset) =>
        header.Length >= SegmentHeaderBytes
        && header[..8].SequenceEqual(SegmentMagic)
        && BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) == Version
        && BinaryPrimitives.ReadInt64LittleEndian(header[16..]) == expectedBaseOffset
        && BinaryPrimitives.ReadUInt32LittleEndian(header[24..]) == Crc32C.Compute(header[..24]);

    public static int RecordBytes(int payloadLength) => RecordHeaderBytes + payloadLength;

    public static void WriteRecordHeader(Span<byte> destination, long offset, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], RecordChecksum(payload.Length, offset, payload));
    }

    /// <summary>
    /// Checks the record that starts at the beginning of <paramref name="bytes"/>, which sits at logical
    /// <paramref name="offset"/>. <paramref name="payloadLength"/> is set whenever the length field is readable and
    /// plausible, also for <see cref="RecordCheck.NeedMoreBytes"/>.
    /// </summary>
    public static RecordCheck CheckRecord(ReadOnlySpan<byte> bytes, long offset, out int payloadLength)
    {
        payloadLength = 0;
        if (bytes.Length < RecordHeaderBytes)
        {
            return RecordCheck.NeedMoreBytes;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (length is <= 0 or > MaxPayloadBytes)
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
        return stored == RecordChecksum(length, offset, payload) ? RecordCheck.Valid : RecordCheck.Invalid;
    }

    private static uint RecordChecksum(int length, long offset, ReadOnlySpan<byte> payload)
    {
        Span<byte> prefix = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, length);
        BinaryPrimitives.WriteInt64LittleEndian(prefix[4..], offset);
        return ~Crc32C.Append(Crc32C.Append(Crc32C.Seed, prefix), payload);
    }
}

internal enum RecordCheck : byte
{
    Valid,
    NeedMoreBytes,
    /// <summary>Impossible length or checksum mismatch: torn, corrupt, or not a record boundary.</summary>
    Invalid,
}
