using System.Security.Cryptography.X509Certificates;
using Ingest.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace Ingest.Http;

/// <summary>
/// The HTTP addresses on Kestrel: the main one (plain or TLS with the configured certificate) and, when
/// <see cref="HttpOptions.MetricsUrl"/> is set, a second one that serves only <c>/metrics</c>. Connections accepted on
/// the second are marked in their connection items, so the decision rests on which socket accepted the connection,
/// never on a Host header a client chooses.
/// </summary>
public sealed class HttpListeners
{
    private const string MetricsConnectionItem = "Ingest.MetricsListener";

    private ListenOptions? _main;
    private ListenOptions? _metrics;

    /// <summary>The main address as bound (the real port when the configuration said 0).</summary>
    public Uri? MainUrl => Bound(_main, Scheme);

    /// <summary>The metrics-only address as bound, or null when none is configured.</summary>
    public Uri? MetricsUrl => Bound(_metrics, "http");

    private string Scheme { get; set; } = "http";

    /// <summary>True when the request came in on the metrics-only address.</summary>
    public static bool IsMetricsConnection(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(MetricsConnectionItem) == true;

    public void Configure(KestrelServerOptions kestrel, Uri httpUrl, HttpOptions options, int maxConnections)
    {
        if (!HttpAddress.TryParseHost(httpUrl, out var address))
        {
            throw new OptionsValidationException(nameof(Hosting.IngestOptions), typeof(Hosting.IngestOptions),
                [$"Ingest:HttpUrl '{httpUrl}' must name an IP address."]);
        }
        Scheme = httpUrl.Scheme;
        var certificate = httpUrl.Scheme == Uri.UriSchemeHttps ? LoadCertificate(options.Certificate) : null;
        kestrel.Listen(address, httpUrl.Port, listen =>
        {
            _main = listen;
            HttpConnectionLimit.Apply(listen, maxConnections);
            if (certificate is not null)
            {
                listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate });
            }
        });
        if (options.MetricsUrl is { Length: > 0 } metricsText)
        {
            var metricsUrl = new Uri(metricsText);
            HttpAddress.TryParseHost(metricsUrl, out var metricsAddress);
            kestrel.Listen(metricsAddress, metricsUrl.Port, listen =>
            {
                _metrics = listen;
                // A scraper needs a handful of connections; the rest of the budget stays with the main address.
                HttpConnectionLimit.Apply(listen, Math.Min(maxConnections, 16));
                listen.Use(next => connection =>
                {
                    connection.Items[MetricsConnectionItem] = true;
                    return next(connection);
                });
            });
        }
    }

    /// <summary>
    /// The certificate from PFX (<c>.pfx</c>/<c>.p12</c>) or PEM files. A missing certificate for an https:// URL is
    /// a configuration error reported at start, never a silent fallback to plain HTTP.
    /// </summary>
    public static X509Certificate2 LoadCertificate(HttpCertificateOptions options)
    {
        if (!options.IsConfigured)
        {
            throw new OptionsValidationException(nameof(HttpOptions), typeof(HttpOptions),
                ["Ingest:HttpUrl is https:// but Http:Certificate:Path is not set (a .pfx/.p12 file, or a PEM certificate with Http:Certificate:KeyPath)."]);
        }
        var path = options.Path!;
        if (path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, options.Password);
        }
        return string.IsNullOrEmpty(options.Password)
            ? X509Certificate2.CreateFromPemFile(path, options.KeyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, options.Password, options.KeyPath);
    }

    private static Uri? Bound(ListenOptions? listen, string scheme) =>
        listen?.IPEndPoint is { } endPoint ? new Uri($"{scheme}://{endPoint}") : null;
}
