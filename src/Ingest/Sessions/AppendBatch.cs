using System.Buffers;
using Ingest.Protocol.Framing;
using Ingest.Spool;

namespace Ingest.Sessions;

/// <summary>
/// The admitted frames of one read on their way into the spool: each frame's header (to answer it) beside its spool
/// record (envelope header plus the frame's bytes, still in the pipe's memory). The pipe must not be advanced past the
/// frames until <see cref="IFrameSpool.AppendAsync(SpoolAppendBatch)"/> has completed: the spool reads them until then.
/// One per session, reused.
/// </summary>
internal sealed class AppendBatch
{
    private readonly List<Frame> _frames = [];

    public AppendBatch(FrameBufferPool pool) => Records = new SpoolAppendBatch(pool);

    /// <summary>The spool records, one per frame, in the same order.</summary>
    public SpoolAppendBatch Records { get; }

    public int Count => _frames.Count;

    public FrameHeader Header(int index) => _frames[index].Header;

    /// <summary>The frame's bytes as received; valid until the read is advanced.</summary>
    public ReadOnlySequence<byte> Bytes(int index) => _frames[index].Bytes;

    public int FrameLength(int index) => (int)_frames[index].Bytes.Length;

    /// <summary>Adds a frame; returns where to write its envelope header.</summary>
    public Span<byte> Add(in FrameHeader header, ReadOnlySequence<byte> frame, int envelopeHeaderSize, Records.EnvelopeFlags flags)
    {
        _frames.Add(new Frame(header, frame, flags));
        return Records.Add(envelopeHeaderSize, frame);
    }

    public void Clear()
    {
        _frames.Clear();
        Records.Clear();
    }

    /// <summary>The flags written into the frame's envelope header.</summary>
    public Records.EnvelopeFlags EnvelopeFlags(int index) => _frames[index].Flags;

    private readonly record struct Frame(FrameHeader Header, ReadOnlySequence<byte> Bytes, Records.EnvelopeFlags Flags);
}
