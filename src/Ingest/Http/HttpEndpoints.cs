using System.Text.Json;
using Ingest.Hosting;
using Ingest.Http.Security;
using Ingest.Registry;
using Ingest.Protocol.Framing;
using Ingest.Sessions;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.Redis;
using Ingest.Spool;
using Ingest.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Http;

/// <summary>The HTTP surface besides /metrics: health, readiness, a vehicle's live state and its stored history.</summary>
public static class HttpEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (IFrameSpool spool) =>
        {
            var stats = spool.GetStats();
            return stats.CanAccept
                ? Results.Text("ok")
                : Results.Text("spool cannot accept frames: " + RefusalReason(stats), statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().WithSummary("Health: 200 \"ok\" while the node can acknowledge frames; 503 with the reason while the spool refuses them " +
            "(disk error being retried, disk budget reached, writer faulted).");

        app.MapGet("/readyz", (SessionRegistry registry, IFrameSpool spool, StorageConfiguration storage, SpoolConsumerMetrics consumers) =>
        {
            var stats = spool.GetStats();
            bool ready = stats.CanAccept;
            var body = new
            {
                ready,
                sessions = registry.Count,
                spool = new
                {
                    accepting = stats.CanAccept,
                    faulted = stats.Faulted,
                    full = stats.Full,
                    write_unavailable = stats.WriteUnavailable,
                    write_error = stats.WriteError,
                    write_retry_at = stats.WriteRetryAt,
                    retained_bytes = stats.RetainedBytes,
                    orphaned_consumers = (stats.OrphanedConsumers ?? []).Select(o => new
                    {
                        name = o.Name,
                        committed_offset = o.CommittedOffset,
                        orphaned_since = o.OrphanedSince,
                        drop_at = o.DropAt,
                    }),
                    near_budget = stats.NearBudget,
                    disk_bytes = stats.DiskBytes,
                    disk_budget_bytes = stats.DiskBudgetBytes,
                    next_offset = stats.NextOffset,
                    consumer_lag_bytes = stats.ConsumerOffsets.ToDictionary(c => c.Key, c => stats.NextOffset - c.Value),
                },
                // Consumers do not decide readiness (a store being down never stops acknowledgements); they say how they are.
                consumers = consumers.Snapshot().ToDictionary(c => c.Name, c => new
                {
                    state = ConsumerStateName(c.State),
                    committed_offset = c.CommittedOffset,
                    consecutive_failures = c.ConsecutiveFailures,
                    last_error = c.LastError,
                    last_error_at = c.LastErrorAt,
                }),
                clickhouse = StoreSummary(storage.ClickHouse, "not configured: frames stay in the spool", Consumer(consumers, Sinks.ClickHouse.ClickHouseSink.ConsumerName)),
                redis = StoreSummary(storage.Redis, "not configured: state kept in process", Consumer(consumers, Sinks.Redis.RedisStateSink.ConsumerName)),
            };
            return ready ? Results.Json(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().WithSummary("Readiness (no credentials needed; it names no vehicle): the spool accepts frames (not faulted, not at its disk budget, no disk error being retried); " +
            "consumer lag per cursor, orphaned cursors and when they are dropped; each consumer loop's state (running, retrying with its last error, caught up).");

        app.MapGet("/vehicles/{vin}/state", async (string vin, HttpContext context, IVehicleStateStore store, CancellationToken ct) =>
        {
            if (!VehicleAccess.TryAuthorize(context, vin, out var caller))
            {
                return Results.NotFound();
            }
            AuditLog.StateRead(VehicleAccess.Audit(context), vin, caller.KeyId, caller.Name);
            return await store.GetAsync(vin, ct) is { } state ? Results.Json(state) : Results.NotFound();
        })
            .RequireAuthorization(ApiScopes.StateRead)
            .WithSummary("The latest known state of one vehicle (Redis, or in-process without Redis). Scope state:read; " +
                "404 for a vehicle of another tenant, as for an unknown one.");

        app.MapGet("/vehicles/online", async (HttpContext context, IVehicleStateStore store, IVehicleRegistry registry, int? limit, CancellationToken ct) =>
        {
            var caller = ApiCaller.From(context.User);
            int wanted = Math.Clamp(limit ?? 100, 1, MaxOnline);
            IReadOnlyList<VehicleState> online;
            if (caller.IsAdmin)
            {
                online = await store.ListOnlineAsync(wanted, ct);
            }
            else
            {
                // The state store has no tenant index: every online VIN is filtered by the registry before any state is read.
                online = await store.ListOnlineAsync(wanted, vin => caller.CanSee(registry, vin), ct);
            }
            AuditLog.OnlineListRead(VehicleAccess.Audit(context), caller.IsAdmin ? "*" : caller.Tenant, online.Count, caller.KeyId, caller.Name);
            return Results.Json(online);
        })
            .RequireAuthorization(ApiScopes.StateRead)
            .WithSummary("Vehicles currently online, most recently seen first; only the key's tenant's vehicles (admin keys see all). Scope state:read.");

        FrameHistoryEndpoint.Map(app);
        StatusPage.StatusPageEndpoints.Map(app);
        Quality.QualityEndpoints.Map(app);
        RegistryEndpoints.Map(app);
        ApiKeyEndpoints.Map(app);
        Downlink.CommandEndpoint.Map(app);
        AlarmEvents.AlarmEndpoints.Map(app);
    }

    /// <summary>Largest online list, and how many recent vehicles a tenant's list is filtered from.</summary>
    public const int MaxOnline = 10_000;

    /// <summary>A consumer loop's state as /readyz and /status name it.</summary>
    public static string ConsumerStateName(SpoolConsumerState state) => state switch
    {
        SpoolConsumerState.CaughtUp => "caught_up",
        SpoolConsumerState.Retrying => "retrying",
        SpoolConsumerState.Running => "running",
        SpoolConsumerState.Preparing => "preparing",
        _ => state.ToString().ToLowerInvariant(),
    };

    private static SpoolConsumerStatus? Consumer(SpoolConsumerMetrics consumers, string name) =>
        consumers.Snapshot().Where(c => c.Name == name).Select(c => (SpoolConsumerStatus?)c).FirstOrDefault();

    /// <summary>
    /// What a store is doing as its consumer sees it, so an unreachable ClickHouse or Redis is never reported as fine;
    /// it still does not decide readiness (frames wait in the spool).
    /// </summary>
    private static string StoreSummary(bool configured, string notConfigured, SpoolConsumerStatus? consumer) =>
        !configured ? notConfigured
        : consumer is not { } c ? "configured; its consumer has not started"
        : c.State == SpoolConsumerState.Retrying ? $"failing: {c.LastError} (retrying; frames wait in the spool)"
        : c.State == SpoolConsumerState.Preparing ? "connecting"
        : c.State is SpoolConsumerState.Running or SpoolConsumerState.CaughtUp ? "working"
        : c.State.ToString().ToLowerInvariant();

    private static string RefusalReason(SpoolStats stats) =>
        stats.Faulted ? "the writer stopped after an unexpected error; restart the node"
        : stats.WriteUnavailable ? $"disk error ({stats.WriteError}), retrying at {stats.WriteRetryAt:o}"
        : "disk budget reached";
}
