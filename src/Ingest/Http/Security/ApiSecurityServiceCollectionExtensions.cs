using Ingest.Spool;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Http.Security;

public static class ApiSecurityServiceCollectionExtensions
{
    /// <summary>
    /// The policy of <c>/metrics</c>: open on the metrics-only address (<see cref="HttpOptions.MetricsUrl"/>), an
    /// admin key on the main one.
    /// </summary>
    public const string MetricsPolicy = "metrics";

    /// <summary>
    /// API-key authentication and one authorization policy per scope (named as the scope; <c>admin</c> implies
    /// every scope). The fallback policy requires an authenticated key, so an endpoint mapped without any
    /// authorization metadata is closed rather than open: only endpoints marked <c>AllowAnonymous</c> answer without
    /// a key, and with no key in the file every other endpoint answers 401.
    /// </summary>
    public static IServiceCollection AddApiKeySecurity(this IServiceCollection services)
    {
        services.TryAddSingleton<ApiSecurityMetrics>();
        services.TryAddSingleton<HttpListeners>();
        services.TryAddSingleton(sp => new ApiKeyStore(
            new ApiKeyFile(sp.GetRequiredService<IOptions<HttpOptions>>().Value.ResolveApiKeysFile(sp.GetRequiredService<IOptions<SpoolOptions>>().Value.Directory)),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ApiKeyStore>>()));
        // The core only: AddAuthentication() would also bring Data Protection, which writes a key ring to disk and
        // which nothing here uses (no cookies, no tokens minted by this server).
        services.AddWebEncoders();
        services.AddAuthenticationCore(o =>
        {
            o.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, ApiKeyAuthenticationHandler.SchemeName);
            o.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName;
        });
        var authorization = services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build())
            .AddPolicy(MetricsPolicy, p => p
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAssertion(c => (c.Resource is HttpContext http && HttpListeners.IsMetricsConnection(http))
                    || ApiCaller.Grants(c.User, ApiScopes.Admin)));
        foreach (var scope in ApiScopes.All)
        {
            authorization.AddPolicy(scope, p => p
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireAssertion(c => ApiCaller.Grants(c.User, scope)));
        }
        return services;
    }
}
