namespace Ingest.Http.Security;

/// <summary>
/// What an API key may do. An endpoint names the scope it needs as its authorization policy
/// (<c>.RequireAuthorization(ApiScopes.StateRead)</c>); <see cref="Admin"/> implies every other scope.
/// </summary>
public static class ApiScopes
{
    /// <summary>Latest state and the online list.</summary>
    public const string StateRead = "state:read";

    /// <summary>Stored frames and rows over time.</summary>
    public const string HistoryRead = "history:read";

    /// <summary>Filing, changing and removing vehicles in the registry.</summary>
    public const string RegistryWrite = "registry:write";

    /// <summary>API keys, commands to vehicles, and every tenant's data.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [StateRead, HistoryRead, RegistryWrite, Admin];

    /// <summary>Claim types the API-key authentication puts on the caller's principal.</summary>
    public const string ScopeClaim = "scope";
    public const string TenantClaim = "tenant";
    public const string KeyIdClaim = "key_id";
}
