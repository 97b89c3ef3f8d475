using System.Runtime.InteropServices;
using Ingest.Protocol.Framing;
using Ingest.Spool;

namespace Ingest.Sessions;

/// <summary>
/// The frames of one read on their way into the spool, and the one owner of the pooled buffers they were copied
/// into. A buffer goes back to the pool only from <see cref="ReleaseAsync"/>, and only once the spool is done
/// reading it, that is once its append has completed (committed, refused or failed): an append that waits for
/// room in the next group commit copies its payload late, so a buffer returned while an earlier append of the
/// same batch failed could be rented by another connection and its bytes written to the spool under this frame.
/// An append that never started (AppendAsync threw) hands its buffer back at once. One per session, reused.
/// </summary>
internal sealed class AppendBatch
{
    private readonly FrameBufferPool _pool;
    private readonly List<Entry> _entries = [];

    public AppendBatch(FrameBufferPool pool) => _pool = pool;

    public int Count => _entries.Count;

    public FrameHeader Header(int index) => _entries[index].Header;

    /// <summary>The frame's bytes in its buffer; valid until <see cref="ReleaseAsync"/>.</summary>
    public ReadOnlySpan<byte> Frame(int index)
    {
        var entry = _entries[index];
        return entry.Buffer.AsSpan(entry.FrameOffset, entry.FrameLength);
    }

    public int FrameLength(int index) => _entries[index].FrameLength;

    /// <summary>The flags written into the frame's envelope header.</summary>
    public Records.EnvelopeFlags EnvelopeFlags(int index) => Records.FrameEnvelope.ReadFlags(_entries[index].Buffer);

    /// <summary>A buffer of at least <paramref name="size"/> bytes, to fill and pass to <see cref="StartAppend"/>.</summary>
    public byte[] Rent(int size) => _pool.Rent(size);

    /// <summary>Starts the append of <paramref name="buffer"/>[0..size); the batch owns the buffer from here on.</summary>
    public void StartAppend(IFrameSpool spool, byte[] buffer, int size, in FrameHeader header, int frameOffset, int frameLength)
    {
        ValueTask<SpoolAppendResult> append;
        try
        {
            append = spool.AppendAsync(buffer.AsMemory(0, size), CancellationToken.None);
        }
        catch
        {
            _pool.Return(buffer); // the append never began, so nothing can read the buffer any more
            throw;
        }
        _entries.Add(new Entry(header, buffer, frameOffset, frameLength, append));
    }

    /// <summary>Waits for the append of frame <paramref name="index"/>; each is awaited once, here or in <see cref="ReleaseAsync"/>.</summary>
    public ValueTask<SpoolAppendResult> CompleteAsync(int index)
    {
        ref var entry = ref CollectionsMarshal.AsSpan(_entries)[index];
        entry.Awaited = true;
        return entry.Append;
    }

    /// <summary>
    /// Waits for every append not yet awaited (after a failure part-way through the batch), then returns every
    /// buffer and empties the batch. Failures seen here are not rethrown: the batch already failed with the first.
    /// </summary>
    public async ValueTask ReleaseAsync()
    {
        for (int i = 0; i < _entries.Count; i++)
        {
            if (!_entries[i].Awaited)
            {
                var append = CompleteAsync(i);
                try
                {
                    await append.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Same cause as the failure that ended the batch, which is the one reported; what matters here
                    // is only that the spool has finished with the buffer.
                }
            }
        }
        foreach (var entry in _entries)
        {
            _pool.Return(entry.Buffer);
        }
        _entries.Clear();
    }

    private record struct Entry(FrameHeader Header, byte[] Buffer, int FrameOffset, int FrameLength, ValueTask<SpoolAppendResult> Append)
    {
        public bool Awaited;
    }
}
