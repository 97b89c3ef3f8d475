namespace Ingest.Http.Security;

/// <summary>
/// One API key as stored: who it belongs to and what it may do, and the SHA-256 of its secret (never the secret).
/// The caller presents <c>ik_&lt;id&gt;_&lt;secret&gt;</c>; the id finds the record, the secret proves possession.
/// </summary>
/// <param name="Id">12 lowercase hex characters, public: it appears in logs and audit events.</param>
/// <param name="Name">The operator's label ("fleet-portal"), for audit events.</param>
/// <param name="Tenant">The tenant whose vehicles the key sees; ignored for keys with the <c>admin</c> scope.</param>
/// <param name="Scopes">Scope names from <see cref="ApiScopes"/>.</param>
/// <param name="SecretSha256">SHA-256 of the secret's UTF-8 text, lowercase hex.</param>
/// <param name="CreatedAt">When the key was created.</param>
/// <param name="RevokedAt">When the key was revoked; a revoked key is kept so its id stays in the audit trail.</param>
public sealed record ApiKey(
    string Id,
    string Name,
    string Tenant,
    IReadOnlyList<string> Scopes,
    string SecretSha256,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsRevoked => RevokedAt is not null;

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsAdmin => Scopes.Contains(ApiScopes.Admin, StringComparer.Ordinal);

    /// <summary>True when the key grants <paramref name="scope"/>; <c>admin</c> grants every scope.</summary>
    public bool Grants(string scope) => IsAdmin || Scopes.Contains(scope, StringComparer.Ordinal);
}

/// <summary>Why a presented key was not accepted; the label of <c>ingest.http.auth.failures</c>.</summary>
public enum ApiKeyRejection
{
    None,
    Missing,
    Malformed,
    Unknown,
    WrongSecret,
    Revoked,
}
