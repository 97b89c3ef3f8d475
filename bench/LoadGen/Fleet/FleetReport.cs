using System.Text.Json.Serialization;
using LoadGen.Frames;
using LoadGen.Measurement;

namespace LoadGen.Fleet;

/// <summary>A live view of a running fleet, one per progress interval.</summary>
public sealed record FleetProgress(TimeSpan Elapsed, CounterSnapshot Counters, double SentPerSecond, double AcknowledgedPerSecond, LatencySummary IntervalLatency);

/// <summary>What a fleet run saw, as its terminals saw it.</summary>
public sealed record FleetReport
{
    public required DateTimeOffset StartedAt { get; init; }
    public required TimeSpan Elapsed { get; init; }
    /// <summary>Why the run ended: "duration", "frame limit", "cancelled", "finished" (every terminal gave up or completed) or "hard limit".</summary>
    public required string StopReason { get; init; }
    public required int Seed { get; init; }
    public required string VinPrefix { get; init; }
    public required IReadOnlyDictionary<string, int> TerminalsByProtocol { get; init; }
    public required IReadOnlyList<string> SourceAddresses { get; init; }
    public required IReadOnlyList<string> Targets { get; init; }
    public required CounterSnapshot Counters { get; init; }
    /// <summary>Frames sent whose command the target was expected to answer.</summary>
    public required long FramesExpectingAck { get; init; }
    /// <summary>Acknowledgement latency of every request (login, realtime, reissue, heartbeat, logout).</summary>
    public required LatencySummary Latency { get; init; }
    /// <summary>Acknowledgement latency of realtime and reissue frames only.</summary>
    public required LatencySummary DataLatency { get; init; }
    /// <summary>The fleet's own CPU per acknowledged frame (whole run and steady window).</summary>
    public FleetCpu? Cpu { get; init; }
    /// <summary>Per terminal: what it sent and what was acknowledged, per command. Used by the storage checks; not in JSON.</summary>
    [JsonIgnore]
    public IReadOnlyList<TerminalResult> Terminals { get; init; } = [];

    public double ElapsedSeconds => Elapsed.TotalSeconds;

    /// <summary>Frames that expected a reply and got none (or a failure).</summary>
    public long Unacknowledged => FramesExpectingAck - Counters.FramesAcknowledged;

    /// <summary>True when every frame that expected a reply was acknowledged and no error of any kind was seen.</summary>
    public bool Clean => Unacknowledged == 0 && Counters.ErrorTotal == 0;

    public double SentPerSecond => Elapsed.TotalSeconds > 0 ? Counters.FramesSent / Elapsed.TotalSeconds : 0;

    public double AcknowledgedPerSecond => Elapsed.TotalSeconds > 0 ? Counters.FramesAcknowledged / Elapsed.TotalSeconds : 0;

    internal static IReadOnlyDictionary<string, int> CountProtocols(IEnumerable<TerminalProtocol> protocols) =>
        protocols.GroupBy(p => p).OrderBy(g => g.Key).ToDictionary(g => g.Key.Name(), g => g.Count());
}
