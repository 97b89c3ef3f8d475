using System.Net;
using LoadGen.Frames;
using LoadGen.Safety;

namespace LoadGen.Fleet;

/// <summary>Everything a fleet run needs. Durations are <see cref="TimeSpan"/>s; rates say their unit in the name.</summary>
public sealed record FleetOptions
{
    /// <summary>Commands a target answers by default: login, realtime, reissue, logout, heartbeat (the Ingest server's defaults).</summary>
    public static readonly IReadOnlySet<byte> DefaultAckedCommands = new HashSet<byte>
    {
        Commands.Login, Commands.Realtime, Commands.Reissue, Commands.Logout, Commands.Heartbeat,
    };

    /// <summary>Simulated terminals, one connection each. Default 100.</summary>
    public int Terminals { get; init; } = 100;

    /// <summary>Where terminals connect unless <see cref="ProtocolTargets"/> names another port for their protocol. Loopback only.</summary>
    public IPEndPoint Target { get; init; } = new(IPAddress.Loopback, 32960);

    /// <summary>Per-protocol targets (for servers with one port per protocol). Loopback only.</summary>
    public IReadOnlyDictionary<TerminalProtocol, IPEndPoint> ProtocolTargets { get; init; } = new Dictionary<TerminalProtocol, IPEndPoint>();

    public ProtocolMix Protocols { get; init; } = ProtocolMix.Default;

    /// <summary>Sizes of realtime frames (cells, probes, motors, signatures).</summary>
    public FrameShape Shape { get; init; } = new();

    /// <summary>Info-type mix per protocol; a protocol not named here uses its default.</summary>
    public IReadOnlyDictionary<TerminalProtocol, InfoMix> InfoMixes { get; init; } = new Dictionary<TerminalProtocol, InfoMix>();

    /// <summary>Period of realtime (0x02) frames per terminal. Default 10 s.</summary>
    public TimeSpan RealtimeInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A GB terminal that sent nothing for this long sends a heartbeat. Zero: never. Default 30 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>New terminals started per second while ramping up. Default 1000.</summary>
    public double RampUpPerSecond { get; init; } = 1000;

    /// <summary>How long the fleet runs (ramp-up included) before every terminal logs out. Default 60 s.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Realtime frames sent by the whole fleet after which every terminal logs out; null: no limit (the duration still applies).</summary>
    public long? RealtimeFrameLimit { get; init; }

    /// <summary>Local addresses the terminals bind before connecting, round-robin. Empty: 127.0.0.2 onwards, one per 20,000 terminals.</summary>
    public IReadOnlyList<IPAddress> SourceAddresses { get; init; } = [];

    /// <summary>Mean time between simulated coverage gaps per terminal (uniform 0.5x-1.5x); null: no gaps.</summary>
    public TimeSpan? GapEvery { get; init; }

    /// <summary>How long a coverage gap lasts: the link is dropped, the missed realtime data is sent as reissue after reconnecting. Default 30 s.</summary>
    public TimeSpan GapDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Most reissue frames one gap produces. Default 360.</summary>
    public int MaxReissuePerGap { get; init; } = 360;

    /// <summary>Most reissue frames a terminal sends back to back in one wake-up (a burst); the rest follow on the next ticks. Default 32.</summary>
    public int ReissueBurstFrames { get; init; } = 32;

    /// <summary>Commands the target acknowledges. Frames of other commands are sent and counted, not matched. Annex Q terminals never expect replies.</summary>
    public IReadOnlySet<byte> AckedCommands { get; init; } = DefaultAckedCommands;

    /// <summary>Unanswered requests a terminal allows before it waits for replies. Default 64.</summary>
    public int MaxInFlightPerConnection { get; init; } = 64;

    /// <summary>A request unanswered for this long counts as an ack timeout and the terminal drops the link. Default 10 s.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>At the end (and before a gap), how long a terminal waits for outstanding replies. Default 5 s.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Reconnects after a failed connection (refused, reset, login failure) before the terminal gives up. Default 3.</summary>
    public int MaxReconnects { get; init; } = 3;

    /// <summary>Wait before reconnecting after a failure. Default 1 s.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Send a logout (0x04) when the run ends. Default true.</summary>
    public bool Logout { get; init; } = true;

    /// <summary>Resolution of the timing wheels that drive every terminal. Default 10 ms.</summary>
    public TimeSpan SchedulerTick { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How often progress is reported. Default 1 s.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Seeds VINs, protocol assignment and frame contents. Null: a fresh seed per run (reported), so VINs differ between runs.</summary>
    public int? Seed { get; init; }

    /// <summary>Positions 1-11 of every VIN (position 9 a placeholder); null: derived from the seed.</summary>
    public string? VinPrefix { get; init; }

    /// <summary>The ceiling of the whole run: the duration plus the drain and connect timeouts and two seconds; after it every socket is closed.</summary>
    public TimeSpan HardLimit => Duration + DrainTimeout + ConnectTimeout + TimeSpan.FromSeconds(2);

    public IPEndPoint TargetFor(TerminalProtocol protocol) => ProtocolTargets.GetValueOrDefault(protocol, Target);

    public FrameShape ShapeFor(TerminalProtocol protocol) =>
        InfoMixes.TryGetValue(protocol, out var mix) ? Shape with { Mix = mix } : Shape with { Mix = null };

    public bool ExpectsAck(TerminalProtocol protocol, byte command) => protocol.ExpectsReplies() && AckedCommands.Contains(command);

    /// <summary>The source addresses actually used.</summary>
    public IReadOnlyList<IPAddress> EffectiveSourceAddresses()
    {
        if (SourceAddresses.Count > 0)
        {
            return SourceAddresses;
        }
        int count = Math.Max(1, (Terminals + 19_999) / 20_000);
        return [.. Enumerable.Range(2, count).Select(i => new IPAddress(new byte[] { 127, 0, (byte)(i >> 8), (byte)i }))];
    }

    /// <summary>Every problem with these options, in words; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Terminals is < 1 or > Vehicles.VinGenerator.MaxTerminals)
        {
            errors.Add($"Terminals must be 1-{Vehicles.VinGenerator.MaxTerminals}.");
        }
        foreach (var (what, endpoint) in new[] { ("target", Target) }.Concat(ProtocolTargets.Select(kv => ($"{kv.Key.Name()} target", kv.Value))))
        {
            if (!LoopbackGuard.IsLoopback(endpoint.Address))
            {
                errors.Add($"Refusing {what} {endpoint}: the load generator only sends traffic to loopback addresses (127.0.0.0/8 or ::1).");
            }
        }
        foreach (var source in SourceAddresses)
        {
            if (!LoopbackGuard.IsLoopback(source))
            {
                errors.Add($"Refusing source address {source}: only loopback addresses can be bound.");
            }
        }
        foreach (var protocol in Protocols.Weights.Where(kv => kv.Value > 0).Select(kv => kv.Key))
        {
            if (ShapeFor(protocol).Validate(protocol) is { } shapeError)
            {
                errors.Add(shapeError);
            }
        }
        if (RealtimeInterval < TimeSpan.FromMilliseconds(10))
        {
            errors.Add("The realtime interval is at least 10 ms.");
        }
        if (HeartbeatInterval < TimeSpan.Zero)
        {
            errors.Add("The heartbeat interval cannot be negative.");
        }
        if (RampUpPerSecond <= 0 || double.IsNaN(RampUpPerSecond))
        {
            errors.Add("The ramp-up rate must be positive.");
        }
        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromDays(1))
        {
            errors.Add("The duration must be positive and at most one day.");
        }
        if (RealtimeFrameLimit is <= 0)
        {
            errors.Add("The frame limit must be positive.");
        }
        if (GapEvery is { } gap && gap <= TimeSpan.Zero)
        {
            errors.Add("The gap interval must be positive.");
        }
        if (GapDuration <= TimeSpan.Zero)
        {
            errors.Add("The gap duration must be positive.");
        }
        if (MaxInFlightPerConnection is < 1 or > 100_000)
        {
            errors.Add("The in-flight limit must be 1-100000.");
        }
        if (MaxReissuePerGap < 0 || ReissueBurstFrames < 1)
        {
            errors.Add("Reissue limits must be positive.");
        }
        if (AckTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero || DrainTimeout < TimeSpan.Zero)
        {
            errors.Add("Timeouts must be positive.");
        }
        if (MaxReconnects < 0)
        {
            errors.Add("The reconnect limit cannot be negative.");
        }
        if (SchedulerTick < TimeSpan.FromMilliseconds(1) || SchedulerTick > TimeSpan.FromSeconds(1))
        {
            errors.Add("The scheduler tick must be 1 ms - 1 s.");
        }
        if (VinPrefix is not null)
        {
            try
            {
                _ = new Vehicles.VinGenerator(VinPrefix);
            }
            catch (ArgumentException ex)
            {
                errors.Add(ex.Message);
            }
        }
        return errors;
    }
}
