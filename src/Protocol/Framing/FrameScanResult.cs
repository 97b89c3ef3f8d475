using Ingest.Protocol.Errors;

namespace Ingest.Protocol.Framing;

public enum FrameScanStatus : byte
{
    /// <summary>Nothing can be decided yet: the buffer starts with a possible frame that is not complete.</summary>
    NeedMoreData,

    /// <summary>A whole frame with a valid check byte starts the buffer; it is <see cref="FrameScanResult.Length"/> bytes.</summary>
    Frame,

    /// <summary>The first <see cref="FrameScanResult.Length"/> bytes are not a frame; <see cref="FrameScanResult.Error"/> says why.</summary>
    Skip,
}

/// <summary>
/// What lies at the start of the scanned buffer. Every result that is not <see cref="FrameScanStatus.NeedMoreData"/>
/// consumes <see cref="Length"/> bytes, so a caller loops until it needs more data and then advances its pipe once.
/// </summary>
public readonly struct FrameScanResult
{
    private FrameScanResult(FrameScanStatus status, int length, FrameHeader header, DecodeError error)
    {
        Status = status;
        Length = length;
        Header = header;
        Error = error;
    }

    public FrameScanStatus Status { get; }

    /// <summary>Bytes of the frame (for <see cref="FrameScanStatus.Frame"/>) or bytes skipped.</summary>
    public int Length { get; }

    /// <summary>The frame header, valid for <see cref="FrameScanStatus.Frame"/> (and for checksum skips).</summary>
    public FrameHeader Header { get; }

    /// <summary>Why bytes were skipped: Junk, Checksum, Length or Abandoned. Offsets are relative to the scanned buffer's start.</summary>
    public DecodeError Error { get; }

    internal static FrameScanResult NeedMore => default;

    internal static FrameScanResult ForFrame(FrameHeader header) =>
        new(FrameScanStatus.Frame, header.FrameLength, header, default);

    internal static FrameScanResult ForSkip(int length, DecodeError error, FrameHeader header = default) =>
        new(FrameScanStatus.Skip, length, header, error);
}
