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
