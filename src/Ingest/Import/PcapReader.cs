using System.Buffers.Binary;

namespace Ingest.Import;

/// <summary>
/// Reads a classic libpcap capture file (not pcapng) record by record from a stream: both byte orders, microsecond
/// (<c>a1b2c3d4</c>) and nanosecond (<c>a1b23c4d</c>) timestamps. Memory stays at one packet buffer whatever the
/// file's size.
/// </summary>
/// <remarks>
/// Written here rather than taken from a package: the format is a 24-byte file header and a 16-byte header per
/// record, and the import needs only that plus the link layers of <see cref="PacketParser"/>. A record header cannot
/// be told from packet bytes, so there is no resynchronising inside a damaged file: a record that claims more than
/// <see cref="MaxRecordBytes"/> or runs past the end of the file ends the read, and the reader says where.
/// </remarks>
public sealed class PcapReader
{
    public const int FileHeaderSize = 24;
    public const int RecordHeaderSize = 16;

    /// <summary>Largest record accepted (the largest snap length tools write is 262,144 bytes).</summary>
    public const int MaxRecordBytes = 1 << 20;

    private const uint MagicMicroseconds = 0xA1B2C3D4;
    private const uint MagicNanoseconds = 0xA1B23C4D;

    private readonly Stream _stream;
    private readonly bool _bigEndian;
    private readonly bool _nanoseconds;
    private byte[] _buffer = new byte[64 * 1024];
    private long _fileOffset = FileHeaderSize;
    private long _packets;

    private PcapReader(Stream stream, bool bigEndian, bool nanoseconds, uint linkType, uint snapLength)
    {
        _stream = stream;
        _bigEndian = bigEndian;
        _nanoseconds = nanoseconds;
        LinkType = linkType;
        SnapLength = snapLength;
    }

    /// <summary>The capture's link type (LINKTYPE_* value: 1 Ethernet, 113 Linux cooked, 101 raw IP, ...).</summary>
    public uint LinkType { get; }

    public uint SnapLength { get; }

    public bool IsNanosecond => _nanoseconds;

    public bool IsBigEndian => _bigEndian;

    /// <summary>What ended the read early (a record cut short by the end of the file, an impossible length), or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>The <see cref="Problem"/> is only a last record cut short (a capture stopped mid-write), not damage before the end.</summary>
    public bool CutShort { get; private set; }

    /// <summary>The number of the record read next (the one a <see cref="Problem"/> is about).</summary>
    public long NextPacketNumber => _packets + 1;

    /// <summary>The file offset of the record read next.</summary>
    public long FileOffset => _fileOffset;

    /// <summary>Does the stream start like a classic pcap file? Reads four bytes and seeks back.</summary>
    public static bool LooksLikePcap(ReadOnlySpan<byte> start) =>
        start.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(start) is MagicMicroseconds or MagicNanoseconds
            || start.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(start) is MagicMicroseconds or MagicNanoseconds;

    /// <summary>Reads the file header; false with <paramref name="problem"/> when it is not a classic pcap file.</summary>
    public static bool TryOpen(Stream stream, out PcapReader reader, out string? problem)
    {
        reader = null!;
        Span<byte> header = stackalloc byte[FileHeaderSize];
        if (stream.ReadAtLeast(header, FileHeaderSize, throwOnEndOfStream: false) < FileHeaderSize)
        {
            problem = "shorter than a pcap file header (24 bytes).";
            return false;
        }
        bool bigEndian;
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (magic is MagicMicroseconds or MagicNanoseconds)
        {
            bigEndian = false;
        }
        else
        {
            magic = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (magic is not (MagicMicroseconds or MagicNanoseconds))
            {
                problem = $"not a classic pcap file (magic 0x{BinaryPrimitives.ReadUInt32BigEndian(header):x8}; pcapng files must be converted first: editcap -F pcap in.pcapng out.pcap).";
                return false;
            }
            bigEndian = true;
        }
        uint snapLength = Read32(header[16..], bigEndian);
        // The FCS bits (28-31 with bit 27 "FCS present") share the field with the link type.
        uint linkType = Read32(header[20..], bigEndian) & 0x0FFF_FFFF;
        reader = new PcapReader(stream, bigEndian, magic == MagicNanoseconds, linkType, snapLength);
        problem = null;
        return true;
    }

    /// <summary>
    /// The next record, or false at the end of the file (or at a record that cannot be read: see <see cref="Problem"/>).
    /// The packet's bytes are valid until the next call.
    /// </summary>
    public bool TryReadNext(out PcapPacket packet)
    {
        packet = default;
        if (Problem is not null)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[RecordHeaderSize];
        int read = _stream.ReadAtLeast(header, RecordHeaderSize, throwOnEndOfStream: false);
        if (read == 0)
        {
            return false;
        }
        long number = _packets + 1;
        if (read < RecordHeaderSize)
        {
            Problem = $"the file ends inside its record header (a capture cut short).";
            CutShort = true;
            return false;
        }
        uint seconds = Read32(header, _bigEndian);
        uint fraction = Read32(header[4..], _bigEndian);
        uint captured = Read32(header[8..], _bigEndian);
        uint original = Read32(header[12..], _bigEndian);
        if (captured > MaxRecordBytes || fraction >= (_nanoseconds ? 1_000_000_000u : 1_000_000u))
        {
            Problem = $"impossible record header (captured length {captured}, sub-second {fraction}); the rest of the file is not read.";
            return false;
        }
        if (_buffer.Length < captured)
        {
            _buffer = new byte[Math.Max(captured, _buffer.Length * 2)];
        }
        if (_stream.ReadAtLeast(_buffer.AsSpan(0, (int)captured), (int)captured, throwOnEndOfStream: false) < captured)
        {
            Problem = $"the file ends inside the packet's {captured} bytes (a capture cut short).";
            CutShort = true;
            return false;
        }
        long ticks = seconds * TimeSpan.TicksPerSecond + (_nanoseconds ? fraction / 100 : fraction * 10L);
        packet = new PcapPacket(number, _fileOffset, DateTimeOffset.UnixEpoch.AddTicks(ticks), _buffer.AsMemory(0, (int)captured), (int)original);
        _packets = number;
        _fileOffset += RecordHeaderSize + captured;
        return true;
    }

    private static uint Read32(ReadOnlySpan<byte> bytes, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
}

/// <summary>One capture record: its number (from 1, as Wireshark counts), where its record header starts, its time and bytes.</summary>
/// <param name="Number">From 1, as Wireshark counts.</param>
/// <param name="FileOffset">Where its record header starts.</param>
/// <param name="Timestamp">The capture time.</param>
/// <param name="Data">The captured bytes (valid until the next read).</param>
/// <param name="OriginalLength">The packet's length on the wire; more than <c>Data.Length</c> when the snap length cut it.</param>
public readonly record struct PcapPacket(long Number, long FileOffset, DateTimeOffset Timestamp, ReadOnlyMemory<byte> Data, int OriginalLength);
