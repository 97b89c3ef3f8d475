namespace Ingest.Protocol.Framing;

/// <summary>What a framer accepts. One instance per listener; immutable and shared.</summary>
public sealed record FramingOptions
{
    /// <summary>Default for <see cref="MaxFrameBytes"/>: ample for realtime frames with hundreds of cells and a signature.</summary>
    public const int DefaultMaxFrameBytes = 16 * 1024;

    /// <summary>
    /// Largest whole frame (header, data unit and check byte) in bytes, default 16 KiB. A header declaring more is
    /// rejected before its length is trusted, so a forged length can neither stall a stream nor buffer unbounded memory.
    /// </summary>
    public int MaxFrameBytes { get; init; } = DefaultMaxFrameBytes;

    /// <summary>Frame families this framer accepts; default all of them, told apart by marker and byte 3.</summary>
    public AcceptedProtocols Accepted { get; init; } = AcceptedProtocols.All;

    /// <summary>
    /// Accept GB/T 32960 platform-exchange custom commands 0xC0-0xFE. Off by default: every extra command value
    /// makes a false "##" inside a payload more likely to pass as a header.
    /// </summary>
    public bool AllowCustomCommands { get; init; }

    public static FramingOptions Default { get; } = new();

    internal bool Accepts(AcceptedProtocols p) => (Accepted & p) != 0;
}
