using System.Buffers;
using Ingest.Protocol.Framing;

namespace Ingest.Sessions;

/// <summary>
/// Where the session loop hands a terminal's answer to a command the platform sent down the connection (GB/T 32960
/// 0x80-0x82, HJ 1239 0x80). Such a frame is spooled like any other (the stored trail of what the terminal said) but
/// never acknowledged, and it carries no vehicle data; the loop gives it here so a waiting request gets it.
/// Implemented by the downlink commands (Downlink/); the seam lives here so that Sessions depends on nothing above it.
/// </summary>
public interface IDownlinkAnswers
{
    /// <summary>
    /// Offers a frame that <see cref="DownlinkAnswers.Is"/> picked out. <paramref name="frame"/> is valid only during
    /// the call. <paramref name="stored"/> says whether the spool committed it.
    /// </summary>
    void Offer(TerminalSession session, in FrameHeader header, ReadOnlySequence<byte> frame, bool stored);

    /// <summary>The session's connection ended: a command still waiting on it will get no answer.</summary>
    void SessionClosed(TerminalSession session);
}

public static class DownlinkAnswers
{
    /// <summary>GB/T 32960 parameter query, parameter set, terminal control (2016 §8).</summary>
    public const byte FirstGbCommand = 0x80;

    public const byte LastGbCommand = 0x82;

    /// <summary>HJ 1239 parameter query, the one downlink command it defines besides the activation response.</summary>
    public const byte HjParameterQuery = 0x80;

    /// <summary>
    /// True for a frame that can only be a terminal's answer to one of our commands: a GB/T 32960 frame with command
    /// 0x80-0x82 (whatever its flag: some terminals answer with 0xFE instead of 0x01, digest §1.4.5), an HJ 1239 frame
    /// with command 0x80. Terminals send these commands to nobody; a platform sends them to terminals.
    /// </summary>
    public static bool Is(in FrameHeader header) =>
        header.Command >= FirstGbCommand
        && (header.Layout == HeaderLayout.Gb32960 ? header.Command <= LastGbCommand : header.Command == HjParameterQuery);
}
