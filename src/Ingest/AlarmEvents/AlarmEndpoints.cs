using Ingest.Http.Security;
using Ingest.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.AlarmEvents;

/// <summary><c>GET /alarms/recent</c>: the newest alarm event phases this node detected, for the status page and operators.</summary>
public static class AlarmEndpoints
{
    public const int MaxLimit = 1_000;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/alarms/recent", (HttpContext context, int? limit) =>
        {
            var caller = ApiCaller.From(context.User);
            var services = context.RequestServices;
            var registry = services.GetRequiredService<IVehicleRegistry>();
            int wanted = Math.Clamp(limit ?? 100, 1, MaxLimit);
            if (services.GetService<RecentAlarms>() is not { } recent)
            {
                return Results.NotFound(); // Alarms:Enabled is false: this node detects no events (the status page says so)
            }
            var events = recent.Newest(wanted, e => caller.CanSee(registry, e.Vin));
            AlarmLog.RecentRead(VehicleAccess.Audit(context), caller.IsAdmin ? "*" : caller.Tenant, events.Count, caller.KeyId, caller.Name);
            return Results.Json(events, AlarmJsonContext.Default.ListAlarmEvent);
        })
            .RequireAuthorization(ApiScopes.StateRead)
            .WithSummary("The newest alarm event phases (start and end) this node detected since it started, newest first; only the key's " +
                "tenant's vehicles (admin keys see all). limit 1-1000, default 100. 404 when Alarms:Enabled is false. Scope state:read.");
    }
}
