using Ingest.Protocol.Gb32960.Bodies;

namespace Ingest.Downlink;

/// <summary>The three downlink commands, by their GB/T 32960 command id (2016 §8; HJ 1239 defines only 0x80).</summary>
public enum CommandKind : byte
{
    Query = 0x80,
    Set = 0x81,
    Control = 0x82,
}

/// <summary>
/// A validated command, before it meets a connection: what to send, in protocol terms (parameter ids from the
/// GB/T 32960 table, raw parameter values, a control id and its argument bytes). <see cref="CommandFrames"/> turns
/// it into the frame for one terminal's protocol and edition.
/// </summary>
public sealed class DownlinkCommand
{
    public required CommandKind Kind { get; init; }

    public byte CommandId => (byte)Kind;

    /// <summary>query, set or control: the request's word, used in metrics, logs and answers.</summary>
    public string Name => Kind switch
    {
        CommandKind.Query => "query",
        CommandKind.Set => "set",
        _ => "control",
    };

    /// <summary>Query: the parameter ids asked for, in ascending order (so a domain's length comes before it).</summary>
    public IReadOnlyList<byte> QueryIds { get; init; } = [];

    /// <summary>Set: the parameters with their encoded values, ascending ids, each domain preceded by its length.</summary>
    public IReadOnlyList<Gb32960Parameter> Parameters { get; init; } = [];

    /// <summary>Control: the control command id (<see cref="Gb32960ControlCommand"/>).</summary>
    public byte Control { get; init; }

    /// <summary>Control: the argument bytes after the control id (upgrade fields, alarm level and text).</summary>
    public ReadOnlyMemory<byte> ControlArguments { get; init; }

    /// <summary>What was asked, for the logs and the audit trail. Never holds a password.</summary>
    public required string Summary { get; init; }
}
