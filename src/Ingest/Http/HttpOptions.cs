using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Ingest.Http;

/// <summary>
/// Limits of the HTTP query surface, bound from the <c>Http</c> section. History queries read ClickHouse and decode
/// every frame on this node's cores, the same cores the terminals' acknowledgements need: these limits keep a flood of
/// them from starving the terminal path.
/// </summary>
public sealed class HttpOptions : IValidatableObject
{
    public const string SectionName = "Http";

    /// <summary>
    /// History queries (<c>/vehicles/{vin}/frames</c>) running at once on this node. One more is refused at once with
    /// 429 and <c>Retry-After</c>, never queued. Default 4.
    /// </summary>
    [Range(1, 1024)]
    public int MaxConcurrentHistoryQueries { get; set; } = 4;

    /// <summary>Largest <c>limit</c> a history query may ask for (rows); a larger one is answered 400. Default 100,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxHistoryLimit { get; set; } = 100_000;

    /// <summary>
    /// Longest a history query may run, slow readers included (a client that stops reading holds its slot until then).
    /// Default 60 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HistoryQueryTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The <c>Retry-After</c> sent with a refused history query, in whole seconds. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HistoryRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The API keys' file (SHA-256 digests of the secrets, tenants, scopes). Default: <c>api-keys.json</c> in the spool
    /// folder. Changes made by the <c>keys</c> command apply to a running server at its next request.
    /// </summary>
    public string? ApiKeysFile { get; set; }

    /// <summary>
    /// A second address (<c>http://127.0.0.1:9464</c>) serving only <c>/metrics</c>, without credentials, for a
    /// Prometheus on a private network. Unset (default): <c>/metrics</c> exists only on the main address and needs an
    /// admin key there.
    /// </summary>
    public string? MetricsUrl { get; set; }

    /// <summary>The certificate of the main address when <c>Ingest:HttpUrl</c> is <c>https://</c>.</summary>
    public HttpCertificateOptions Certificate { get; set; } = new();

    public string ResolveApiKeysFile(string spoolDirectory) =>
        string.IsNullOrWhiteSpace(ApiKeysFile) ? Path.Combine(spoolDirectory, "api-keys.json") : ApiKeysFile;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MetricsUrl is { Length: > 0 } metrics
            && (!Uri.TryCreate(metrics, UriKind.Absolute, out var uri) || uri.Scheme != "http" || !HttpAddress.TryParseHost(uri, out _)))
        {
            yield return new ValidationResult($"Http:MetricsUrl '{metrics}' must be an absolute http:// URL with an IP address (http://127.0.0.1:9464).",
                [nameof(MetricsUrl)]);
        }
        if (Certificate.Path is { Length: > 0 } certificate && !File.Exists(certificate))
        {
            yield return new ValidationResult($"Http:Certificate:Path '{certificate}' does not exist.", [nameof(Certificate)]);
        }
        if (Certificate.KeyPath is { Length: > 0 } key && !File.Exists(key))
        {
            yield return new ValidationResult($"Http:Certificate:KeyPath '{key}' does not exist.", [nameof(Certificate)]);
        }
    }
}

/// <summary>
/// A certificate for Kestrel: a PFX/PKCS#12 file (<see cref="Path"/> ending .pfx or .p12, with <see cref="Password"/>),
/// or PEM files (<see cref="Path"/> the certificate chain, <see cref="KeyPath"/> the private key, encrypted when
/// <see cref="Password"/> is set).
/// </summary>
public sealed class HttpCertificateOptions
{
    public string? Path { get; set; }

    public string? KeyPath { get; set; }

    public string? Password { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Path);
}

[OptionsValidator]
public sealed partial class HttpOptionsValidator : IValidateOptions<HttpOptions>
{
}
