using System.Buffers;

namespace Protocol.Tests.Support;

/// <summary>Builds a multi-segment sequence, to test frames that straddle pipe buffer boundaries.</summary>
public static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, int segmentSize)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        for (int i = 0; i < bytes.Length; i += segmentSize)
        {
            pieces.Add(bytes.AsMemory(i, Math.Min(segmentSize, bytes.Length - i)));
        }
        return FromPieces(pieces);
    }

    /// <summary>One sequence over <paramref name="pieces"/>, one segment each, in order.</summary>
    public static ReadOnlySequence<byte> FromPieces(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        if (pieces.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        Segment first = new(pieces[0], 0), last = first;
        for (int i = 1; i < pieces.Count; i++)
        {
            last = last.Append(pieces[i]);
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
