using System.Text.Json;
using Ingest.Hosting;
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
        app.MapGet("/healthz", () => Results.Text("ok"))
            .WithSummary("Liveness: the process is up and serving HTTP.");

        app.MapGet("/readyz", (SessionRegistry registry, IFrameSpool spool, StorageConfiguration storage) =>
        {
            var stats = spool.GetStats();
            bool ready = !stats.Faulted && !stats.Full;
            var body = new
            {
                ready,
                sessions = registry.Count,
                spool = new
                {
                    faulted = stats.Faulted,
                    full = stats.Full,
                    near_budget = stats.NearBudget,
                    disk_bytes = stats.DiskBytes,
                    disk_budget_bytes = stats.DiskBudgetBytes,
                    next_offset = stats.NextOffset,
                    consumer_lag_bytes = stats.ConsumerOffsets.ToDictionary(c => c.Key, c => stats.NextOffset - c.Value),
                },
                clickhouse = storage.ClickHouse ? "configured" : "not configured: frames stay in the spool",
                redis = storage.Redis ? "configured" : "not configured: state kept in process",
            };
            return ready ? Results.Json(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).WithSummary("Readiness: the spool accepts frames (not faulted, not at its disk budget); consumer lag per cursor.");

        app.MapGet("/vehicles/{vin}/state", async (string vin, IVehicleStateStore store, CancellationToken ct) =>
            await store.GetAsync(vin, ct) is { } state ? Results.Json(state) : Results.NotFound())
            .WithSummary("The latest known state of one vehicle (Redis, or in-process without Redis).");

        app.MapGet("/vehicles/online", async (IVehicleStateStore store, int? limit, CancellationToken ct) =>
            Results.Json(await store.ListOnlineAsync(Math.Clamp(limit ?? 100, 1, 10_000), ct)))
            .WithSummary("Vehicles currently online, most recently seen first.");

        FrameHistoryEndpoint.Map(app);
    }
}
