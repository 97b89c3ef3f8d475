using System.Buffers;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Framing;

/// <summary>
/// The few operations the framer needs on its input, so one scanning algorithm serves a contiguous span
/// (the fast path) and a multi-segment pipe buffer alike, with no copy of the frame in either case.
/// </summary>
internal interface IByteWindow
{
    int Length { get; }

    byte this[int index] { get; }

    void CopyTo(int start, scoped Span<byte> destination);

    byte Xor(int start, int length);

    /// <summary>Index of the first '#' or '$' at or after <paramref name="from"/>, or -1.</summary>
    int IndexOfMarkerByte(int from);
}

internal readonly ref struct SpanWindow : IByteWindow
{
    private readonly ReadOnlySpan<byte> _span;

    public SpanWindow(ReadOnlySpan<byte> span) => _span = span;

    public int Length => _span.Length;

    public byte this[int index] => _span[index];

    public void CopyTo(int start, scoped Span<byte> destination) => _span.Slice(start, destination.Length).CopyTo(destination);

    public byte Xor(int start, int length) => Bcc.Compute(_span.Slice(start, length));

    public int IndexOfMarkerByte(int from)
    {
        int i = _span[from..].IndexOfAny((byte)FrameMarker.Hash, (byte)FrameMarker.Dollar);
        return i < 0 ? -1 : from + i;
    }
}

internal readonly struct SequenceWindow : IByteWindow
{
    private readonly ReadOnlySequence<byte> _sequence;

    public SequenceWindow(ReadOnlySequence<byte> sequence)
    {
        _sequence = sequence;
        // The framer never needs more than one maximum frame plus a header of look-ahead: callers bound the
        // sequence length by their read buffer, so int offsets are enough.
        Length = (int)Math.Min(sequence.Length, int.MaxValue);
    }

    public int Length { get; }

    public byte this[int index]
    {
        get
        {
            var slice = _sequence.Slice(index, 1);
            return slice.FirstSpan[0];
        }
    }

    public void CopyTo(int start, scoped Span<byte> destination) => _sequence.Slice(start, destination.Length).CopyTo(destination);

    public byte Xor(int start, int length) => Bcc.Compute(_sequence.Slice(start, length));

    public int IndexOfMarkerByte(int from)
    {
        int offset = from;
        foreach (var segment in _sequence.Slice(from))
        {
            int i = segment.Span.IndexOfAny((byte)FrameMarker.Hash, (byte)FrameMarker.Dollar);
            if (i >= 0)
            {
                return offset + i;
            }
            offset += segment.Length;
        }
        return -1;
    }
}
