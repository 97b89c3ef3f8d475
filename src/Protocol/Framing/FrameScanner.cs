using System.Buffers;
using Ingest.Protocol.Errors;

namespace Ingest.Protocol.Framing;

/// <summary>
/// The one framer for every protocol variant. It looks at the start of a buffer and says what is there: a whole
/// frame, bytes to skip (junk, a checksum failure, an oversized length), or that it needs more data. It never
/// trusts a length before the whole header is plausible, so a "##" inside a payload cannot capture the stream.
/// </summary>
public static class FrameScanner
{
    public static FrameScanResult Scan(ReadOnlySpan<byte> buffer, FramingOptions options) =>
        Scan(new SpanWindow(buffer), options);

    public static FrameScanResult Scan(in ReadOnlySequence<byte> buffer, FramingOptions options) =>
        buffer.IsSingleSegment
            ? Scan(new SpanWindow(buffer.FirstSpan), options)
            : Scan(new SequenceWindow(buffer), options);

    /// <summary>
    /// Gives up on the partial frame at the start of <paramref name="buffer"/>: one that <see cref="Scan(ReadOnlySpan{byte}, FramingOptions)"/>
    /// said needs more data and that its reader has waited on too long (the reader decides when; the framer keeps no
    /// clock). Skips the start marker and returns a <see cref="DecodeErrorKind.Abandoned"/> skip up to the next place
    /// a frame could start, so the bytes after the marker are scanned again and a real frame that follows a corrupted
    /// length is still found. The error's expected value is the declared frame length when the header was whole,
    /// its actual value the bytes that were waiting. An empty buffer needs more data.
    /// </summary>
    public static FrameScanResult Abandon(ReadOnlySpan<byte> buffer, FramingOptions options) =>
        Abandon(new SpanWindow(buffer), options);

    /// <inheritdoc cref="Abandon(ReadOnlySpan{byte}, FramingOptions)"/>
    public static FrameScanResult Abandon(in ReadOnlySequence<byte> buffer, FramingOptions options) =>
        buffer.IsSingleSegment
            ? Abandon(new SpanWindow(buffer.FirstSpan), options)
            : Abandon(new SequenceWindow(buffer), options);

    private static FrameScanResult Abandon<TWindow>(TWindow window, FramingOptions options)
        where TWindow : IByteWindow, allows ref struct
    {
        int length = window.Length;
        if (length == 0)
        {
            return FrameScanResult.NeedMore;
        }
        Span<byte> headerBytes = stackalloc byte[FrameHeader.Size];
        long declared = -1;
        var header = default(FrameHeader);
        if (length >= FrameHeader.Size)
        {
            window.CopyTo(0, headerBytes);
            if (HeaderValidator.Validate(headerBytes, options, out header) == DecodeErrorKind.None)
            {
                declared = header.FrameLength;
            }
        }
        // Both marker bytes go: resuming at the second one would only find a marker whose twin is the command byte.
        int from = length >= 2 && window[1] == window[0] ? 2 : 1;
        int skip = from >= length ? length : NextPlausibleStart(window, from, options, headerBytes);
        return FrameScanResult.ForSkip(skip, new DecodeError(DecodeErrorKind.Abandoned, 0, declared, length), header);
    }

    private static FrameScanResult Scan<TWindow>(TWindow window, FramingOptions options)
        where TWindow : IByteWindow, allows ref struct
    {
        int length = window.Length;
        if (length == 0)
        {
            return FrameScanResult.NeedMore;
        }
        if (!IsMarkerCandidate(window, 0, options))
        {
            int next = NextMarkerCandidate(window, 1, options);
            return FrameScanResult.ForSkip(next < 0 ? length : next, new DecodeError(DecodeErrorKind.Junk, 0));
        }
        if (length < FrameHeader.Size)
        {
            return FrameScanResult.NeedMore;
        }

        Span<byte> headerBytes = stackalloc byte[FrameHeader.Size];
        window.CopyTo(0, headerBytes);
        var verdict = HeaderValidator.Validate(headerBytes, options, out var header);
        if (verdict == DecodeErrorKind.Length)
        {
            int skip = NextPlausibleStart(window, 1, options, headerBytes);
            return FrameScanResult.ForSkip(skip, new DecodeError(DecodeErrorKind.Length, 22, options.MaxFrameBytes - FrameHeader.Overhead, header.DataLength), header);
        }
        if (verdict != DecodeErrorKind.None)
        {
            int next = NextMarkerCandidate(window, 1, options);
            return FrameScanResult.ForSkip(next < 0 ? length : next, new DecodeError(DecodeErrorKind.Junk, 0));
        }

        int frameLength = header.FrameLength;
        if (length < frameLength)
        {
            return FrameScanResult.NeedMore;
        }
        byte expected = window.Xor(2, frameLength - 3);
        byte actual = window[frameLength - 1];
        if (expected != actual)
        {
            // Resynchronise on the next plausible header, which may lie inside the bad frame (a frame cut short
            // by a lost segment) or after it (bytes inserted into it): either way no good frame is swallowed.
            int skip = NextPlausibleStart(window, 1, options, headerBytes);
            return FrameScanResult.ForSkip(skip, new DecodeError(DecodeErrorKind.Checksum, frameLength - 1, expected, actual), header);
        }
        return FrameScanResult.ForFrame(header);
    }

    /// <summary>
    /// A position where a frame may start: a doubled accepted marker byte, or an accepted marker byte that is the
    /// last byte of the buffer (its twin may be in the next read).
    /// </summary>
    private static bool IsMarkerCandidate<TWindow>(TWindow window, int index, FramingOptions options)
        where TWindow : IByteWindow, allows ref struct
    {
        byte b = window[index];
        if (!IsAcceptedMarker(b, options))
        {
            return false;
        }
        return index + 1 >= window.Length || window[index + 1] == b;
    }

    private static bool IsAcceptedMarker(byte b, FramingOptions options) => b switch
    {
        (byte)FrameMarker.Hash => options.Accepts(AcceptedProtocols.Gb32960v2016 | AcceptedProtocols.Hj1239),
        (byte)FrameMarker.Dollar => options.Accepts(AcceptedProtocols.Gb32960v2025),
        _ => false,
    };

    private static int NextMarkerCandidate<TWindow>(TWindow window, int from, FramingOptions options)
        where TWindow : IByteWindow, allows ref struct
    {
        int length = window.Length;
        while (from < length)
        {
            int i = window.IndexOfMarkerByte(from);
            if (i < 0)
            {
                return -1;
            }
            if (IsMarkerCandidate(window, i, options))
            {
                return i;
            }
            from = i + 1;
        }
        return -1;
    }

    /// <summary>
    /// The first position at or after <paramref name="from"/> where a frame could start: a marker with a plausible
    /// header, or a marker too close to the end of the buffer to judge. The buffer length when there is none.
    /// </summary>
    private static int NextPlausibleStart<TWindow>(TWindow window, int from, FramingOptions options, scoped Span<byte> scratch)
        where TWindow : IByteWindow, allows ref struct
    {
        int length = window.Length;
        while (true)
        {
            int i = NextMarkerCandidate(window, from, options);
            if (i < 0)
            {
                return length;
            }
            if (length - i < FrameHeader.Size)
            {
                return i;
            }
            window.CopyTo(i, scratch);
            if (HeaderValidator.Validate(scratch, options, out _) == DecodeErrorKind.None)
            {
                return i;
            }
            from = i + 1;
        }
    }
}
