using System.Buffers;

namespace Ingest.Spool;

/// <summary>
/// Records waiting for the next group commit, already laid out as they go to disk, in pooled chunks that the writer
/// hands to one vectored write. All appenders of a batch await the same <see cref="Committed"/> task.
/// Owned by the writer's lock while filling, by the writer thread while committing.
/// </summary>
internal sealed class PendingBatch
{
    private const int ChunkBytes = 128 * 1024;

    private readonly List<byte[]> _chunks = [];
    private readonly List<ReadOnlyMemory<byte>> _buffers = [];
    private int _lastChunkFill;
    private TaskCompletionSource _committed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long StartOffset { get; private set; }

    public long SegmentBase { get; private set; }

    public int Bytes { get; private set; }

    public int Records { get; private set; }

    public bool IsEmpty => Records == 0;

    public long EndOffset => StartOffset + Bytes;

    public TaskCompletionSource Committed => _committed;

    public void Begin(long startOffset, long segmentBase)
    {
        StartOffset = startOffset;
        SegmentBase = segmentBase;
        _committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Copies one record (header and payload) in; <paramref name="offset"/> must be <see cref="EndOffset"/>.</summary>
    public void Append(long offset, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[SpoolFormat.RecordHeaderBytes];
        SpoolFormat.WriteRecordHeader(header, offset, payload);
        Copy(header);
        Copy(payload);
        Bytes += SpoolFormat.RecordBytes(payload.Length);
        Records++;
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
