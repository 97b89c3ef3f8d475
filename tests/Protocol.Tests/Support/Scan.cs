using System.Buffers;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;

namespace Protocol.Tests.Support;

/// <summary>Drives the framer over a whole buffer the way a session does, and tallies what it saw.</summary>
public sealed record ScanTally(List<byte[]> Frames, List<DecodeError> Errors, int JunkBytes, int PendingBytes)
{
    public int Count(DecodeErrorKind kind) => Errors.Count(e => e.Kind == kind);

    public static ScanTally Run(ReadOnlySequence<byte> buffer, FramingOptions? options = null)
    {
        options ??= FramingOptions.Default;
        var frames = new List<byte[]>();
        var errors = new List<DecodeError>();
        int junk = 0;
        while (true)
        {
            var r = FrameScanner.Scan(buffer, options);
            if (r.Status == FrameScanStatus.NeedMoreData)
            {
                return new ScanTally(frames, errors, junk, (int)buffer.Length);
            }
            if (r.Status == FrameScanStatus.Frame)
            {
                frames.Add(buffer.Slice(0, r.Length).ToArray());
            }
            else if (r.Error.Kind == DecodeErrorKind.Junk)
            {
                junk += r.Length;
            }
            else
            {
                errors.Add(r.Error);
            }
            Assert.True(r.Length > 0, "every non-waiting result must consume bytes");
            buffer = buffer.Slice(r.Length);
        }
    }

    public static ScanTally Run(byte[] bytes, FramingOptions? options = null) => Run(new ReadOnlySequence<byte>(bytes), options);
}

/// <summary>Builds a multi-segment sequence, to test frames that straddle pipe buffer boundaries.</summary>
public static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, int segmentSize)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        Segment? first = null, last = null;
        for (int i = 0; i < bytes.Length; i += segmentSize)
        {
            var mem = bytes.AsMemory(i, Math.Min(segmentSize, bytes.Length - i));
            if (first is null)
            {
                first = last = new Segment(mem, 0);
            }
            else
            {
                last = last!.Append(mem);
            }
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
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
