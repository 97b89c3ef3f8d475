using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingest.Http.Security;

/// <summary>
/// <c>/admin/keys</c>: create, list and revoke API keys with an admin key (the <c>keys</c> command does the same on the
/// node). The secret is in the creation answer only; the list shows ids, names, tenants and scopes, never digests.
/// </summary>
public static class ApiKeyEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/admin/keys").RequireAuthorization(ApiScopes.Admin);

        keys.MapPost("", async (NewKey body, HttpContext context, ApiKeyStore store, CancellationToken ct) =>
        {
            var problems = Validate(body.Tenant, body.Scopes);
            if (problems.Count > 0)
            {
                return Results.ValidationProblem(problems, "The key was not created.");
            }
            var caller = ApiCaller.From(context.User);
            var (key, secret) = await store.CreateAsync(body.Tenant!, body.Scopes!, body.Name, ct);
            AuditLog.KeyCreated(VehicleAccess.Audit(context), key.Id, key.Name, key.Tenant, string.Join(',', key.Scopes), caller.KeyId, caller.Name);
            return Results.Json(new CreatedKey(KeyJson.From(key), secret), statusCode: StatusCodes.Status201Created);
        }).WithSummary("Creates an API key for a tenant with scopes (state:read, history:read, registry:write, admin); " +
            "the answer's \"key\" is shown this once and cannot be recovered. Scope admin.");

        keys.MapGet("", (ApiKeyStore store) => Results.Json(store.List().Select(KeyJson.From)))
            .WithSummary("Every API key, revoked ones included, without secrets. Scope admin.");

        keys.MapDelete("/{id}", async (string id, HttpContext context, ApiKeyStore store, CancellationToken ct) =>
        {
            if (await store.RevokeAsync(id, ct) is not { } key)
            {
                return Results.NotFound();
            }
            var caller = ApiCaller.From(context.User);
            AuditLog.KeyRevoked(VehicleAccess.Audit(context), key.Id, key.Name, key.Tenant, caller.KeyId, caller.Name);
            return Results.Json(KeyJson.From(key));
        }).WithSummary("Revokes an API key at once (the next request with it answers 401); the record stays for the audit trail. Scope admin.");
    }

    /// <summary>The problems of a new key's tenant and scopes, by field; empty when it may be created.</summary>
    public static Dictionary<string, string[]> Validate(string? tenant, IReadOnlyList<string>? scopes)
    {
        var problems = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(tenant) || tenant.Length > 64)
        {
            problems["tenant"] = ["tenant: 1 to 64 characters."];
        }
        if (scopes is null || scopes.Count == 0)
        {
            problems["scopes"] = [$"at least one scope of {string.Join(", ", ApiScopes.All)}."];
        }
        else if (scopes.FirstOrDefault(s => !ApiScopes.All.Contains(s)) is { } unknown)
        {
            problems["scopes"] = [$"'{unknown}' is not a scope; scopes are {string.Join(", ", ApiScopes.All)}."];
        }
        return problems;
    }

    public sealed record NewKey(
        [property: JsonPropertyName("tenant")] string? Tenant,
        [property: JsonPropertyName("scopes")] IReadOnlyList<string>? Scopes,
        [property: JsonPropertyName("name")] string? Name);

    public sealed record CreatedKey(
        [property: JsonPropertyName("api_key")] KeyJson ApiKey,
        [property: JsonPropertyName("key")] string Key);

    public sealed record KeyJson(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("tenant")] string Tenant,
        [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes,
        [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
        [property: JsonPropertyName("revoked_at")] DateTimeOffset? RevokedAt)
    {
        public static KeyJson From(ApiKey key) => new(key.Id, key.Name, key.Tenant, key.Scopes, key.CreatedAt, key.RevokedAt);
    }
}
