using System.Security.Claims;
using Ingest.Registry;

namespace Ingest.Http.Security;

/// <summary>The authenticated key behind a request, read back from the claims the handler put on the principal.</summary>
public sealed record ApiCaller(string KeyId, string Name, string Tenant, bool IsAdmin)
{
    public const string NameClaim = "key_name";

    public static ApiCaller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(ApiScopes.KeyIdClaim) ?? "?",
        user.FindFirstValue(NameClaim) ?? "?",
        user.FindFirstValue(ApiScopes.TenantClaim) ?? "",
        Grants(user, ApiScopes.Admin));

    /// <summary>True when the principal's key has <paramref name="scope"/> or <c>admin</c>.</summary>
    public static bool Grants(ClaimsPrincipal user, string scope) =>
        user.HasClaim(ApiScopes.ScopeClaim, scope) || user.HasClaim(ApiScopes.ScopeClaim, ApiScopes.Admin);

    /// <summary>
    /// Admin keys see every vehicle; any other key sees the filed vehicles of its own tenant only. An unfiled VIN has
    /// no tenant, so only admin keys see it.
    /// </summary>
    public bool CanSee(IVehicleRegistry registry, string vin) =>
        IsAdmin || (registry.TryGet(vin, out var filing) && string.Equals(filing.Tenant, Tenant, StringComparison.Ordinal));
}
