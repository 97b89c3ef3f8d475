using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Ingest.Spool;

/// <summary>
/// Checks records in one segment file and, after a damaged one, finds the next record that validates: the one place
/// where the spool resynchronises (recovery's tail scan and every reader use it). Resynchronising is safe because a
/// record's checksum covers its logical offset: bytes only validate at the position they were written for, so the first
/// position after the damage where a record validates is a real record boundary (the chance that damaged or payload
/// bytes pass the CRC-32C by accident is 2^-32 per plausible candidate).
/// </summary>
/// <remarks>
/// Cost: a candidate position is only hashed when its length field is plausible (1 .. the largest record accepted) and
/// the record fits before the limit, so scanning random or zeroed bytes costs about one length check per byte. The
/// file is read in windows of <see cref="ChunkBytes"/> plus one largest record, so every candidate is checked from
/// memory and the file is read about once.
/// </remarks>
internal sealed class SegmentScanner : IDisposable
{
    private const int ChunkBytes = 1024 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly long _baseOffset;
    private readonly int _maxPayloadBytes;
    private byte[] _buffer;
    private long _windowStart;
    private int _windowLength;

    /// <param name="handle">The segment file, open for reading.</param>
    /// <param name="baseOffset">The segment's base offset (records validate against their logical offsets).</param>
    /// <param name="maxPayloadBytes">The largest payload that counts as plausible while resynchronising.</param>
    public SegmentScanner(SafeFileHandle handle, long baseOffset, int maxPayloadBytes)
    {
        _handle = handle;
        _baseOffset = baseOffset;
        _maxPayloadBytes = Math.Min(maxPayloadBytes, SpoolFormat.MaxPayloadBytes);
        _buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes + SpoolFormat.RecordBytes(_maxPayloadBytes));
    }

    /// <summary>
    /// True when a whole, valid record starts at file <paramref name="position"/> and ends at or before
    /// <paramref name="limit"/> (a file position). Records up to the format's limit are accepted here, also ones larger
    /// than today's plausibility bound (written with a larger MaxRecordBytes).
    /// </summary>
    public bool IsValidRecord(long position, long limit, out int payloadLength, out bool commitEnd)
    {
        payloadLength = 0;
        commitEnd = false;
        if (position + SpoolFormat.RecordHeaderBytes > limit || !Load(position, SpoolFormat.RecordHeaderBytes, limit))
        {
            return false;
        }

        while (true)
        {
            var available = Window(position, limit);
            var check = SpoolFormat.CheckRecord(available, Logical(position), SpoolFormat.MaxPayloadBytes, out payloadLength, out commitEnd);
            if (check != RecordCheck.NeedMoreBytes)
            {
                return check == RecordCheck.Valid;
            }

            var recordBytes = SpoolFormat.RecordBytes(payloadLength);
            if (position + recordBytes > limit || available.Length >= recordBytes || !Load(position, recordBytes, limit))
            {
                return false; // runs past the limit, or the file ends early
            }
        }
    }

    /// <summary>
    /// File position of the first record at or after <paramref name="from"/> that validates and ends at or before
    /// <paramref name="limit"/>; -1 when there is none.
    /// </summary>
    public long FindNextRecord(long from, long limit)
    {
        for (var position = from; position + SpoolFormat.RecordHeaderBytes <= limit; position++)
        {
            if (!Load(position, SpoolFormat.RecordHeaderBytes, limit))
            {
                return -1; // the file ends before the limit
            }

            var header = Window(position, limit);
            var length = (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(header) & ~SpoolFormat.CommitEndFlag);
            if (length <= 0 || length > _maxPayloadBytes || position + SpoolFormat.RecordBytes(length) > limit)
            {
                continue;
            }

            if (!Load(position, SpoolFormat.RecordBytes(length), limit))
            {
                continue; // the file ends before this candidate would: not a record
            }

            if (SpoolFormat.CheckRecord(Window(position, limit), Logical(position), _maxPayloadBytes, out _, out _) == RecordCheck.Valid)
            {
                return position;
            }
        }

        return -1;
    }

    /// <summary>One resynchronisation on an open segment file (a reader meeting damage).</summary>
    public static long FindNextRecord(SafeFileHandle handle, long baseOffset, int maxPayloadBytes, long from, long limit)
    {
        using var scanner = new SegmentScanner(handle, baseOffset, maxPayloadBytes);
        return scanner.FindNextRecord(from, limit);
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private long Logical(long position) => SegmentFiles.LogicalOffset(_baseOffset, position);

    /// <summary>The loaded bytes from <paramref name="position"/> up to the limit or the window's end.</summary>
    private ReadOnlySpan<byte> Window(long position, long limit)
    {
        var start = (int)(position - _windowStart);
        var end = (int)Math.Min(_windowLength, limit - _windowStart);
        return _buffer.AsSpan(start, end - start);
    }

    /// <summary>Makes sure [position, position + bytes) is in the window; false when the file ends first.</summary>
    private bool Load(long position, int bytes, long limit)
    {
        if (position >= _windowStart && position + bytes <= _windowStart + _windowLength)
        {
            return true;
        }

        if (bytes > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(bytes);
        }

        var want = (int)Math.Min(_buffer.Length, Math.Max(bytes, limit - position));
        _windowStart = position;
        _windowLength = SegmentFiles.ReadFully(_handle, _buffer.AsSpan(0, want), position);
        return _windowLength >= bytes;
    }
}
