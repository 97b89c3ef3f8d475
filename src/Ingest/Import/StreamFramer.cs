using Ingest.Diagnostics;
using Ingest.Hosting;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;

namespace Ingest.Import;

/// <summary>Where framed frames and problems go (the importer); both are called synchronously, in input order.</summary>
public interface IImportTarget
{
    /// <param name="frame">One whole frame with a valid check byte; valid only during the call.</param>
    /// <param name="receivedAt">When the platform had its last byte (the line's time, or the completing packet's).</param>
    /// <param name="listenerPort">The platform port it was sent to (0 for hex lines).</param>
    /// <param name="protocol">What that port speaks.</param>
    void Frame(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, int listenerPort, ListenerProtocol protocol);

    void Problem(ImportProblem problem);
}

/// <summary>Where the bytes being framed are: file, line or packet, for problem reports.</summary>
internal readonly record struct InputPosition(string File, long Line, long Packet, long FileOffset, FlowKey? Flow)
{
    public string Describe(long streamOffset) => Packet > 0
        ? $"packet {Packet} ({Flow}, stream byte {streamOffset})"
        : $"line {Line}, byte {streamOffset} of its frames";
}

/// <summary>How a stream's frames are taken: all of them, or the stream's first frame decides (content detection).</summary>
internal enum StreamRole : byte
{
    Terminal,
    Undecided,
    NotTerminal,
}

/// <summary>
/// One byte stream (a hex line, or one direction of a TCP connection) through the server's framer: every complete
/// frame goes to the target with the time of the input that completed it, every skip is a problem with its stream
/// offset. At the end of the stream, or before a gap, a frame still waiting is given up the way a session gives up
/// a partial frame after its timeout (<see cref="FrameScanner.Abandon(ReadOnlySpan{byte}, FramingOptions)"/>), so
/// a good frame behind a corrupted length is still found.
/// </summary>
internal sealed class StreamFramer(FramingOptions framing, int listenerPort, ListenerProtocol protocol, StreamRole role, FileImportReport report)
{
    /// <summary>Problems held while content detection has not decided whether the stream is terminal traffic.</summary>
    private const int MaxHeldProblems = 64;

    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private long _streamOffset; // stream offset of _buffer[_start]
    private bool _sawFrame;
    private List<ImportProblem>? _held;

    public StreamRole Role { get; private set; } = role;

    /// <summary>The stream joined after its start (no SYN captured): bytes before its first frame are expected, not junk.</summary>
    public bool JoinedMidStream { get; init; }

    /// <summary>Starts a new stream with this framer (the next hex line).</summary>
    public void Restart()
    {
        _start = _end = 0;
        _streamOffset = 0;
        _sawFrame = false;
        _held = null;
    }

    public void Append(ReadOnlySpan<byte> data, DateTimeOffset receivedAt, in InputPosition position, IImportTarget target)
    {
        if (Role == StreamRole.NotTerminal || data.IsEmpty)
        {
            return;
        }
        if (_buffer.Length - _end < data.Length)
        {
            Compact(data.Length);
        }
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
        Drain(receivedAt, position, target, atEnd: false);
    }

    /// <summary>
    /// <paramref name="missing"/> bytes of the stream were never captured: a frame waiting across them is given up,
    /// and framing restarts after them.
    /// </summary>
    public void Gap(long missing, DateTimeOffset receivedAt, in InputPosition position, IImportTarget target)
    {
        Drain(receivedAt, position, target, atEnd: true);
        Report(position, ImportProblemKind.CaptureGap, _streamOffset, $"{missing} bytes of the stream were not captured; framing resumes after them.", target);
        _streamOffset += missing;
    }

    /// <summary>The stream ended (end of line, FIN, RST, end of the capture): what still waits is incomplete.</summary>
    public void End(DateTimeOffset receivedAt, in InputPosition position, IImportTarget target)
    {
        Drain(receivedAt, position, target, atEnd: true);
        if (Role == StreamRole.Undecided)
        {
            report.FlowsIgnored++;
            _held = null;
        }
    }

    private void Drain(DateTimeOffset receivedAt, in InputPosition position, IImportTarget target, bool atEnd)
    {
        while (_end > _start && Role != StreamRole.NotTerminal)
        {
            var window = _buffer.AsSpan(_start, _end - _start);
            var scan = FrameScanner.Scan(window, framing);
            if (scan.Status == FrameScanStatus.NeedMoreData)
            {
                if (!atEnd)
                {
                    return;
                }
                scan = FrameScanner.Abandon(window, framing);
            }
            if (scan.Status == FrameScanStatus.Frame)
            {
                OnFrame(window[..scan.Length], scan.Header, receivedAt, target);
            }
            else
            {
                OnSkip(scan, position, target);
            }
            _start += scan.Length;
            _streamOffset += scan.Length;
        }
        if (_end == _start)
        {
            _start = _end = 0;
        }
    }

    private void OnFrame(ReadOnlySpan<byte> frame, in FrameHeader header, DateTimeOffset receivedAt, IImportTarget target)
    {
        if (Role == StreamRole.Undecided)
        {
            Role = IsFromTerminal(header) ? StreamRole.Terminal : StreamRole.NotTerminal;
            if (Role == StreamRole.NotTerminal)
            {
                report.FlowsIgnored++;
                _held = null;
                _start = _end = 0;
                return;
            }
            foreach (var problem in _held ?? [])
            {
                target.Problem(problem);
            }
            _held = null;
        }
        _sawFrame = true;
        report.Frames++;
        target.Frame(frame, receivedAt, listenerPort, protocol);
    }

    private void OnSkip(in FrameScanResult scan, in InputPosition position, IImportTarget target)
    {
        if (JoinedMidStream && !_sawFrame)
        {
            report.MidStreamBytesSkipped += scan.Length;
            return;
        }
        report.BytesSkipped += scan.Length;
        var error = scan.Error;
        var (kind, detail) = error.Kind switch
        {
            DecodeErrorKind.Junk => (ImportProblemKind.Junk, $"{scan.Length} bytes that are not a frame"),
            DecodeErrorKind.Checksum => (ImportProblemKind.Checksum, $"frame of {scan.Header.FrameLength} bytes with check byte 0x{error.Actual:X2}, expected 0x{error.Expected:X2}; {scan.Length} bytes skipped"),
            DecodeErrorKind.Length => (ImportProblemKind.Length, $"declared data length {error.Actual} over the largest frame; {scan.Length} bytes skipped"),
            DecodeErrorKind.Abandoned => (ImportProblemKind.Incomplete, error.Expected >= 0
                ? $"frame declared {error.Expected} bytes, only {error.Actual} arrived before the end; {scan.Length} bytes skipped"
                : $"{error.Actual} bytes of a frame header before the end; {scan.Length} bytes skipped"),
            _ => (ImportProblemKind.Junk, $"{DiagnosticNames.Of(error.Kind)}: {error}; {scan.Length} bytes skipped"),
        };
        Report(position, kind, _streamOffset, detail, target);
    }

    private void Report(in InputPosition position, ImportProblemKind kind, long streamOffset, string detail, IImportTarget target)
    {
        var problem = new ImportProblem(position.File, kind, position.Describe(streamOffset), position.FileOffset, detail);
        if (Role == StreamRole.Undecided)
        {
            // Not yet known to be terminal traffic: reported only if it turns out to be.
            if ((_held ??= []).Count < MaxHeldProblems)
            {
                _held.Add(problem);
            }
            return;
        }
        target.Problem(problem);
    }

    /// <summary>
    /// Content detection: a terminal's first frame in a direction is a command it sends (GB/T 32960: response flag
    /// 0xFE and an uplink command; HJ 1239 has no flag, so an uplink command with more than the six time bytes a
    /// platform's answer carries). Replies, platform logins and downlink commands mark the other direction.
    /// </summary>
    internal static bool IsFromTerminal(in FrameHeader header) => header.Layout == HeaderLayout.Gb32960
        ? header.IsCommand && header.Command is 0x01 or 0x02 or 0x03 or 0x04 or 0x07 or 0x08 or 0x09 or 0x0B
        : header.Command is 0x01 or 0x02 or 0x03 or 0x04 or 0x06 or 0x07 && header.DataLength > 6;

    private void Compact(int needed)
    {
        int live = _end - _start;
        if (_buffer.Length - live < needed || _buffer.Length == 0)
        {
            var bigger = new byte[Math.Max(4096, Math.Max(_buffer.Length * 2, live + needed))];
            _buffer.AsSpan(_start, live).CopyTo(bigger);
            _buffer = bigger;
        }
        else
        {
            _buffer.AsSpan(_start, live).CopyTo(_buffer);
        }
        _start = 0;
        _end = live;
    }
}
