using System.Buffers;
using System.Buffers.Binary;

namespace Ingest.Spool;

/// <summary>
/// Records waiting for the next group commit, already laid out as they go to disk, in pooled chunks that the writer
/// hands to one vectored write. Everyone waiting for the batch is listed in its <see cref="Group"/>.
/// Owned by the writer's lock while filling, by the writer thread while committing.
/// </summary>
internal sealed class PendingBatch
{
    private const int ChunkBytes = 128 * 1024;

    private readonly List<byte[]> _chunks = [];
    private readonly List<ReadOnlyMemory<byte>> _buffers = [];
    private int _lastChunkFill;
    private int _lastRecordStart;
    private int _lastPayloadLength;

    public long StartOffset { get; private set; }

    public long SegmentBase { get; private set; }

    public int Bytes { get; private set; }

    public int Records { get; private set; }

    public bool IsEmpty => Records == 0;

    /// <summary>Budget bytes taken for this batch: its records, plus a segment header when it starts a new segment.</summary>
    public long ReservedBytes { get; set; }

    /// <summary>The batch is the first of a new segment (the writer creates the file before writing it).</summary>
    public bool RollsSegment { get; private set; }

    public long EndOffset => StartOffset + Bytes;

    /// <summary>Who waits for this batch's commit; set from <see cref="Begin"/> until the writer takes it with <see cref="DetachGroup"/>.</summary>
    public CommitGroup Group => _group ?? throw new InvalidOperationException("The batch has not begun.");

    private CommitGroup? _group;

    public void Begin(long startOffset, long segmentBase, bool rollsSegment)
    {
        StartOffset = startOffset;
        SegmentBase = segmentBase;
        RollsSegment = rollsSegment;
        _group = CommitGroup.Rent();
    }

    /// <summary>Hands the waiters over (to be completed); the batch can then be reset and reused at once. Null once handed over.</summary>
    public CommitGroup? DetachGroup()
    {
        var group = _group;
        _group = null;
        return group;
    }

    /// <summary>
    /// Copies one record in: <paramref name="prefix"/> then <paramref name="body"/> are its payload, checksummed as they
    /// are copied, so a record costs one pass over its bytes. <paramref name="offset"/> must be <see cref="EndOffset"/>.
    /// </summary>
    public void Append(long offset, ReadOnlySpan<byte> prefix, in ReadOnlySequence<byte> body)
    {
        int payloadLength = prefix.Length + (int)body.Length;
        var field = (uint)payloadLength;
        var crc = SpoolFormat.BeginRecordChecksum(field, offset);
        _lastRecordStart = Bytes;
        _lastPayloadLength = payloadLength;
        Span<byte> header = stackalloc byte[SpoolFormat.RecordHeaderBytes];
        Copy(header); // room for the header, written below once the checksum is known
        crc = CopyChecksummed(prefix, crc);
        if (body.IsSingleSegment)
        {
            crc = CopyChecksummed(body.FirstSpan, crc);
        }
        else
        {
            foreach (var segment in body)
            {
                crc = CopyChecksummed(segment.Span, crc);
            }
        }

        BinaryPrimitives.WriteUInt32LittleEndian(header, field);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], ~crc);
        Overwrite(_lastRecordStart, header);
        Bytes += SpoolFormat.RecordBytes(payloadLength);
        Records++;
    }

    /// <summary>
    /// Sets the commit-end bit on the last record (rewriting its length field and checksum), once the writer has taken
    /// the batch: the commit's own bytes then say, on disk, that the commit is complete.
    /// </summary>
    public void MarkCommitEnd()
    {
        var field = (uint)_lastPayloadLength | SpoolFormat.CommitEndFlag;
        var offset = StartOffset + _lastRecordStart;
        var crc = SpoolFormat.BeginRecordChecksum(field, offset);
        var payloadAt = _lastRecordStart + SpoolFormat.RecordHeaderBytes;
        for (var done = 0; done < _lastPayloadLength;)
        {
            var piece = Span(payloadAt + done, _lastPayloadLength - done);
            crc = Crc32C.Append(crc, piece);
            done += piece.Length;
        }

        Span<byte> header = stackalloc byte[SpoolFormat.RecordHeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, field);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], ~crc);
        Overwrite(_lastRecordStart, header);
    }

    /// <summary>Writes <paramref name="bytes"/> over filled batch bytes from <paramref name="position"/> (a header may span chunks).</summary>
    private void Overwrite(int position, ReadOnlySpan<byte> bytes)
    {
        for (var done = 0; done < bytes.Length;)
        {
            var piece = Span(position + done, bytes.Length - done);
            bytes[done..(done + piece.Length)].CopyTo(piece);
            done += piece.Length;
        }
    }

    /// <summary>The filled bytes from batch position <paramref name="position"/>, at most <paramref name="count"/>, within one chunk.</summary>
    private Span<byte> Span(int position, int count)
    {
        var chunk = position / ChunkBytes;
        var within = position % ChunkBytes;
        var fill = chunk == _chunks.Count - 1 ? _lastChunkFill : ChunkBytes;
        return _chunks[chunk].AsSpan(within, Math.Min(count, fill - within));
    }

    /// <summary>The filled parts of the chunks, in order, for one vectored write.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Buffers()
    {
        _buffers.Clear();
        for (var i = 0; i < _chunks.Count; i++)
        {
            var fill = i == _chunks.Count - 1 ? _lastChunkFill : ChunkBytes;
            _buffers.Add(_chunks[i].AsMemory(0, fill));
        }

        return _buffers;
    }

    /// <summary>Returns the chunks to the pool and empties the batch (after its waiters were completed).</summary>
    public void Reset()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        _chunks.Clear();
        _buffers.Clear();
        _lastChunkFill = 0;
        Bytes = 0;
        Records = 0;
        ReservedBytes = 0;
        _group = null;
    }

    private uint CopyChecksummed(ReadOnlySpan<byte> source, uint crc)
    {
        Copy(source);
        return Crc32C.Append(crc, source);
    }

    private void Copy(ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            if (_chunks.Count == 0 || _lastChunkFill == ChunkBytes)
            {
                _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkBytes));
                _lastChunkFill = 0;
            }

            var room = _chunks[^1].AsSpan(_lastChunkFill, ChunkBytes - _lastChunkFill);
            var count = Math.Min(room.Length, source.Length);
            source[..count].CopyTo(room);
            _lastChunkFill += count;
            source = source[count..];
        }
    }
}
