using System.Text.Json;
using Ingest.Http.Security;
using Ingest.Registry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingest.Http.StatusPage;

/// <summary>
/// The live status page: a static page at <c>/</c> (HTML, script and style embedded in this assembly, nothing from
/// the internet, so it works in a plant without one) that anyone may load, and <c>GET /status</c>, which needs a key
/// with <c>state:read</c> and is where every number on the page comes from. The page asks for the key, keeps it in the
/// tab's sessionStorage and sends it as <c>X-Api-Key</c>.
/// </summary>
/// <remarks>
/// The page polls /status every two seconds rather than holding a server-sent-event stream open: each answer is a
/// snapshot of gauges and totals, not a sequence of events a client must not miss; fetch can send the key in a header
/// where EventSource could only put it in the URL (and so into proxy and access logs); and a forgotten tab costs one
/// small request now and then instead of an HTTP connection held for good against the endpoint's connection limit.
/// </remarks>
public static class StatusPageEndpoints
{
    /// <summary>
    /// Only this origin's own script, style and fetches; no frames, no forms elsewhere. Inline script is refused, so
    /// a VIN or an error text that slipped into the markup could not run.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly JsonSerializerOptions s_json = CreateJsonOptions();

    private static readonly PageAsset s_html = PageAsset.Load("index.html", "text/html; charset=utf-8");
    private static readonly PageAsset s_script = PageAsset.Load("status.js", "text/javascript; charset=utf-8");
    private static readonly PageAsset s_style = PageAsset.Load("status.css", "text/css; charset=utf-8");

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context) => s_html.Write(context)).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/ui/status.js", (HttpContext context) => s_script.Write(context)).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/ui/status.css", (HttpContext context) => s_style.Write(context)).AllowAnonymous().ExcludeFromDescription();

        app.MapGet("/status", async (HttpContext context, StatusReport report, IVehicleRegistry registry, string? q, int? limit,
            CancellationToken ct) =>
        {
            var caller = ApiCaller.From(context.User);
            var snapshot = await report.TakeAsync(q, limit, vin => caller.CanSee(registry, vin), ct);
            AuditLog.OnlineListRead(VehicleAccess.Audit(context), caller.IsAdmin ? "*" : caller.Tenant, snapshot.Vehicles.Items.Count,
                caller.KeyId, caller.Name);
            return Results.Json(snapshot, s_json);
        })
            .RequireAuthorization(ApiScopes.StateRead)
            .WithSummary("What the status page shows: per listener connections and logins, frames/s and acknowledgement latency " +
                "(p50, p99) over the last 10 s, spool size and each consumer's lag, each superior link's state and backlog, and " +
                "the online vehicles with their latest state (q=<part of a VIN>, limit, default 50, at most 500; only the key's " +
                "tenant's vehicles unless admin). Scope state:read.");
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        HttpJson.Configure(options);
        return options;
    }

    /// <summary>One embedded file of the page, read once.</summary>
    private sealed class PageAsset(byte[] content, string contentType)
    {
        public static PageAsset Load(string name, string contentType)
        {
            var resource = typeof(StatusPageEndpoints).Assembly.GetManifestResourceStream($"Ingest.Http.StatusPage.{name}")
                ?? throw new InvalidOperationException($"The status page's {name} is not embedded in the Ingest assembly.");
            using (resource)
            {
                using var copy = new MemoryStream();
                resource.CopyTo(copy);
                return new PageAsset(copy.ToArray(), contentType);
            }
        }

        public Task Write(HttpContext context)
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            // Revalidated each load, so a node upgraded in place never serves a page and a script of two versions.
            headers.CacheControl = "no-cache";
            context.Response.ContentType = contentType;
            context.Response.ContentLength = content.Length;
            return context.Response.Body.WriteAsync(content, context.RequestAborted).AsTask();
        }
    }
}
