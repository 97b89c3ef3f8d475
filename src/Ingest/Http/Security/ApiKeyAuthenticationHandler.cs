using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Http.Security;

/// <summary>
/// Authenticates a request by its API key, from <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c>.
/// No key is "no result" (endpoints open to everyone still answer); a key that fails is a failure whose reason is
/// counted and logged when the endpoint then refuses the request with 401.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyStore store,
    ApiSecurityMetrics metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ApiKeyHeader = "X-Api-Key";
    private const string RejectionItem = "Ingest.ApiKeyRejection";

    /// <summary>
    /// The category of this handler's own events. The base class logs every challenge at Information under the
    /// handler's type name, which the host turns down to Warning: a scanner must not be able to flood the log.
    /// </summary>
    public const string LogCategory = "Ingest.Http.Security";

    private readonly ILogger _log = loggerFactory.CreateLogger(LogCategory);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryGetPresentedKey(Request, out var presented))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var rejection = store.Authenticate(presented, out var key);
        if (key is null)
        {
            Context.Items[RejectionItem] = rejection;
            return Task.FromResult(AuthenticateResult.Fail("API key " + rejection));
        }
        var claims = new List<Claim>(4 + key.Scopes.Count)
        {
            new(ApiScopes.KeyIdClaim, key.Id),
            new(ApiCaller.NameClaim, key.Name),
            new(ApiScopes.TenantClaim, key.Tenant),
            new(ClaimTypes.Name, key.Name),
        };
        claims.AddRange(key.Scopes.Select(s => new Claim(ApiScopes.ScopeClaim, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, null));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var reason = Context.Items.TryGetValue(RejectionItem, out var value) && value is ApiKeyRejection r ? r : ApiKeyRejection.Missing;
        metrics.AuthenticationFailed(reason);
        SecurityLog.AuthenticationFailed(_log, Request.Method, Request.Path, Context.Connection.RemoteIpAddress?.ToString(), reason);
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(
            reason == ApiKeyRejection.Missing
                ? "An API key is required: Authorization: Bearer <key> (or X-Api-Key: <key>)."
                : "The API key is not valid (unknown, revoked or malformed).",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        metrics.Forbidden();
        SecurityLog.Forbidden(_log, Request.Method, Request.Path, Context.User.FindFirstValue(ApiScopes.KeyIdClaim));
        await Results.Problem("The API key does not have the scope this endpoint needs.", statusCode: StatusCodes.Status403Forbidden)
            .ExecuteAsync(Context).ConfigureAwait(false);
    }

    private static bool TryGetPresentedKey(HttpRequest request, out string presented)
    {
        presented = "";
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization["Bearer ".Length..].Trim();
        }
        else if (request.Headers.TryGetValue(ApiKeyHeader, out var header))
        {
            presented = header.ToString().Trim();
        }
        return presented.Length > 0;
    }
}
