using Ingest.Registry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingest.Http.Security;

/// <summary>
/// The one place that decides whether the caller may see a vehicle. A vehicle the caller may not see is answered
/// exactly like one that does not exist (404), so a key cannot learn which VINs other tenants have filed; the refusal
/// is counted and written to the audit log.
/// </summary>
public static class VehicleAccess
{
    public static bool TryAuthorize(HttpContext context, string vin, out ApiCaller caller)
    {
        caller = ApiCaller.From(context.User);
        var services = context.RequestServices;
        if (caller.CanSee(services.GetRequiredService<IVehicleRegistry>(), vin))
        {
            return true;
        }
        services.GetRequiredService<ApiSecurityMetrics>().HiddenByTenant();
        AuditLog.OtherTenantVehicle(Audit(context), vin, context.Request.Path, caller.Tenant, caller.KeyId, caller.Name);
        return false;
    }

    /// <summary>The audit logger (category <see cref="AuditLog.Category"/>).</summary>
    public static ILogger Audit(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AuditLog.Category);
}
