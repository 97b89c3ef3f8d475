using Ingest.Protocol.Framing;

namespace Ingest.Downlink;

/// <summary>How a command request ended.</summary>
public enum CommandOutcomeKind
{
    /// <summary>The terminal answered with success (GB flag 0x01, or 0xFE as some terminals do; any HJ 1239 answer).</summary>
    Accepted,
    /// <summary>The terminal answered with a negative flag (GB 0x02 error, ...).</summary>
    Refused,
    /// <summary>Sent; no answer within the timeout.</summary>
    Timeout,
    /// <summary>The connection ended before the command was written or answered.</summary>
    Disconnected,
    /// <summary>No connection for the vehicle on this node, and the live state does not place it on another.</summary>
    Offline,
    /// <summary>The live state says another node holds the vehicle's connection.</summary>
    OtherNode,
    /// <summary>Another command to the vehicle is still waiting for its answer.</summary>
    Busy,
    /// <summary>The vehicle's protocol has no such command.</summary>
    NotSupported,
    /// <summary>The caller went away while the command waited (it was sent; its answer is stored when it comes).</summary>
    Cancelled,
}

/// <summary>The result of one command request, with what is known for each outcome.</summary>
public sealed record CommandOutcome(CommandOutcomeKind Kind)
{
    /// <summary>Stable snake_case name for answers, metrics and the audit trail.</summary>
    public string Name => NameOf(Kind);

    /// <summary>gb32960_2016, gb32960_2025 or hj1239, once a connection was found.</summary>
    public string? Protocol { get; init; }

    /// <summary>Other node: the node the live state names.</summary>
    public string? Node { get; init; }

    /// <summary>Offline / other node: when the vehicle was last heard from, if the live state knows.</summary>
    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>Why, in words, for outcomes that need one (not supported, disconnected, offline without live state).</summary>
    public string? Detail { get; init; }

    public DateTimeOffset? SentAt { get; init; }

    /// <summary>The frame written to the terminal.</summary>
    public byte[]? Sent { get; init; }

    /// <summary>The terminal's answer frame as received.</summary>
    public byte[]? Answer { get; init; }

    public FrameHeader AnswerHeader { get; init; }

    /// <summary>Whether the spool committed the answer (it then reaches ClickHouse's frames table like every frame).</summary>
    public bool AnswerStored { get; init; }

    /// <summary>From the command written to its answer.</summary>
    public TimeSpan? Latency { get; init; }

    public static string NameOf(CommandOutcomeKind kind) => kind switch
    {
        CommandOutcomeKind.Accepted => "accepted",
        CommandOutcomeKind.Refused => "refused",
        CommandOutcomeKind.Timeout => "timeout",
        CommandOutcomeKind.Disconnected => "disconnected",
        CommandOutcomeKind.Offline => "offline",
        CommandOutcomeKind.OtherNode => "other_node",
        CommandOutcomeKind.Busy => "busy",
        CommandOutcomeKind.NotSupported => "not_supported",
        _ => "cancelled",
    };
}
