using System.Text.Json;
using Ingest.Forwarder.Links;
using Ingest.Hosting;
using Ingest.Relay;
using Ingest.Sessions;
using Ingest.Sinks.Redis;
using Ingest.Spool;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Ingest.Http.StatusPage;

/// <summary>
/// Gathers what <c>GET /status</c> answers from the sources that already exist: the instruments (through
/// <see cref="StatusCounters"/>), the listeners, the spool and its consumer loops, the forwarder's links and the state
/// store's online list. It keeps nothing of its own.
/// </summary>
public sealed class StatusReport(
    StatusCounters counters,
    List<ListenerRuntime> listeners,
    SessionRegistry sessions,
    IFrameSpool spool,
    SpoolConsumerMetrics consumers,
    IVehicleStateStore states,
    IOptions<IngestOptions> ingest,
    IServiceProvider services,
    TimeProvider time)
{
    /// <summary>Most vehicles one answer lists.</summary>
    public const int MaxVehicles = 500;

    /// <summary>Vehicles listed when the caller does not say.</summary>
    public const int DefaultVehicles = 50;

    /// <summary>The snapshot now; <paramref name="include"/> says which online VINs the caller may see, the search applies on top.</summary>
    public async Task<StatusSnapshot> TakeAsync(string? query, int? limit, Func<string, bool> include, CancellationToken cancellationToken)
    {
        var rates = counters.Rates();
        var stats = spool.GetStats();
        var search = string.IsNullOrWhiteSpace(query) ? null : query.Trim();
        int wanted = Math.Clamp(limit ?? DefaultVehicles, 1, MaxVehicles);
        var vehicles = await states.ListOnlineAsync(wanted,
            vin => include(vin) && (search is null || vin.Contains(search, StringComparison.OrdinalIgnoreCase)), cancellationToken).ConfigureAwait(false);

        return new StatusSnapshot(
            Node: ingest.Value.NodeName,
            At: time.GetUtcNow(),
            Sessions: sessions.Count,
            Listeners: [.. listeners.Select(l =>
            {
                var totals = counters.Listener(l.Name);
                return new ListenerStatus(l.Name, l.Options.Protocol.ToString().ToLowerInvariant(), l.BoundPort, l.ActiveConnections,
                    l.MaxConnections, Interlocked.Read(ref totals.ConnectionsOpened), Interlocked.Read(ref totals.ConnectionsRefused),
                    Interlocked.Read(ref totals.Logins));
            })],
            Frames: new FrameStatus(rates.FramesTotal, rates.FramesPerSecond, rates.WindowSeconds),
            AckLatency: new AckLatencyStatus(rates.AckP50Seconds, rates.AckP99Seconds, rates.Acks, rates.WindowSeconds),
            Spool: new SpoolStatus(stats.CanAccept, stats.DiskBytes, stats.DiskBudgetBytes, stats.NextOffset,
                [.. ConsumerStatuses(stats)]),
            Links: [.. LinkStatuses(stats)],
            Vehicles: new OnlineVehicles(search, wanted, vehicles));
    }

    private IEnumerable<ConsumerStatus> ConsumerStatuses(SpoolStats stats)
    {
        var loops = consumers.Snapshot().ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var (name, offset) in stats.ConsumerOffsets.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var loop = loops.GetValueOrDefault(name);
            yield return new ConsumerStatus(name, stats.NextOffset - offset,
                loops.ContainsKey(name) ? HttpEndpoints.ConsumerStateName(loop.State) : "not_running", loop.LastError);
        }
    }

    private IEnumerable<LinkStatus> LinkStatuses(SpoolStats stats)
    {
        // Links exist once the forwarder has started; they are only there when configured.
        var forwarder = services.GetServices<IHostedService>().OfType<ForwarderService>().FirstOrDefault();
        foreach (var link in forwarder?.Links.ToArray() ?? [])
        {
            long? backlog = stats.ConsumerOffsets.TryGetValue(ForwarderService.ConsumerName(link.Name), out var offset)
                ? stats.NextOffset - offset
                : null;
            yield return new LinkStatus(link.Name, LinkStateName(link.State), backlog, Interlocked.Read(ref link.FramesRelayed));
        }
    }

    private static string LinkStateName(LinkState state) => JsonNamingPolicy.SnakeCaseLower.ConvertName(state.ToString());
}

/// <summary>The answer of <c>GET /status</c>; written in snake_case with the HTTP surface's time conventions.</summary>
public sealed record StatusSnapshot(
    string Node,
    DateTimeOffset At,
    int Sessions,
    IReadOnlyList<ListenerStatus> Listeners,
    FrameStatus Frames,
    AckLatencyStatus AckLatency,
    SpoolStatus Spool,
    IReadOnlyList<LinkStatus> Links,
    OnlineVehicles Vehicles);

/// <summary>
/// One terminal listener: connections open now and its limit; connections opened, refused because it was full, and
/// vehicle logins since start (<c>ingest.connections.opened</c>, <c>ingest.connections.refused</c>, <c>ingest.logins</c>).
/// </summary>
public sealed record ListenerStatus(string Name, string Protocol, int Port, int ConnectionsActive, int ConnectionsMax,
    long ConnectionsOpened, long ConnectionsRefused, long Logins);

/// <summary>Frames accepted since start, and per second over the last <c>WindowSeconds</c>.</summary>
public sealed record FrameStatus(long Total, double PerSecond, double WindowSeconds);

/// <summary>Acknowledgement latency quantiles over the window; null when there was no acknowledging write in it.</summary>
public sealed record AckLatencyStatus(double? P50Seconds, double? P99Seconds, long Acks, double WindowSeconds);

/// <summary>The spool's size, budget and end (a consumer's lag is the bytes from its cursor to the end).</summary>
public sealed record SpoolStatus(bool Accepting, long DiskBytes, long DiskBudgetBytes, long NextOffset, IReadOnlyList<ConsumerStatus> Consumers);

/// <summary>A registered cursor: its lag in bytes and its loop's state (running, caught_up, retrying, preparing; not_running when no loop of this host reads it).</summary>
public sealed record ConsumerStatus(string Name, long LagBytes, string State, string? LastError);

/// <summary>A superior-platform link: its state, the spool bytes it has not had confirmed, frames written since start.</summary>
public sealed record LinkStatus(string Name, string State, long? BacklogBytes, long FramesRelayed);

/// <summary>Online vehicles, most recently seen first; <c>Query</c> is the VIN search applied (case-insensitive substring).</summary>
public sealed record OnlineVehicles(string? Query, int Limit, IReadOnlyList<VehicleState> Items);
