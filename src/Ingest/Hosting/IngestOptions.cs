using System.ComponentModel.DataAnnotations;

namespace Ingest.Hosting;

/// <summary>The "Ingest" configuration section: this node and its terminal listeners.</summary>
public sealed class IngestOptions : IValidatableObject
{
    public const string Section = "Ingest";

    /// <summary>This node's name, stored with every frame and in each vehicle's live state. Default: the host name.</summary>
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>Terminal ports. At least one.</summary>
    public List<ListenerOptions> Listeners { get; set; } = [];

    /// <summary>
    /// Address and port of the HTTP surface (metrics, health, state, history, registry). Default http://0.0.0.0:8080;
    /// https:// serves TLS with the certificate of <c>Http:Certificate</c>.
    /// </summary>
    [Required]
    public string HttpUrl { get; set; } = "http://0.0.0.0:8080";

    /// <summary>
    /// Who the terminal ports let in when a listener sets no <c>Admission</c> of its own. Default <c>Registered</c>
    /// (secure by default: only vehicles in the registry); <c>Open</c> for test benches and demos.
    /// </summary>
    public Sessions.AdmissionPolicy Admission { get; set; } = Sessions.AdmissionPolicy.Registered;

    /// <summary>New connections and logins per source address and in total (token buckets).</summary>
    public Transport.RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>How often idle connections are looked for. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan IdleSweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long shutdown waits for sessions to drain in-flight frames into the spool. Default 10 s.</summary>
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NodeName == Import.FrameImporter.NodeName)
        {
            yield return new ValidationResult($"Ingest:NodeName '{NodeName}' is reserved for imported history (the import command's rows); choose another node name.", [nameof(NodeName)]);
        }
        if (Listeners.Count == 0)
        {
            yield return new ValidationResult("Ingest:Listeners needs at least one terminal port (for example Ingest:Listeners:0:Port=32960).", [nameof(Listeners)]);
        }
        for (int i = 0; i < Listeners.Count; i++)
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(Listeners[i], new ValidationContext(Listeners[i]), results, validateAllProperties: true))
            {
                foreach (var r in results)
                {
                    yield return new ValidationResult($"Ingest:Listeners:{i}: {r.ErrorMessage}", [nameof(Listeners)]);
                }
            }
            if (!System.Net.IPAddress.TryParse(Listeners[i].Address, out _))
            {
                yield return new ValidationResult($"Ingest:Listeners:{i}:Address '{Listeners[i].Address}' is not an IP address.", [nameof(Listeners)]);
            }
        }
        var ports = Listeners.Where(l => l.Port != 0).GroupBy(l => (l.Address, l.Port)).Where(g => g.Count() > 1);
        foreach (var dup in ports)
        {
            yield return new ValidationResult($"Ingest:Listeners: {dup.Key.Address}:{dup.Key.Port} is configured twice.", [nameof(Listeners)]);
        }
        foreach (var failure in RateLimits.Validate())
        {
            yield return new ValidationResult($"Ingest:RateLimits:{failure}", [nameof(RateLimits)]);
        }
        if (!Uri.TryCreate(HttpUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !Http.HttpAddress.TryParseHost(uri, out _))
        {
            yield return new ValidationResult($"Ingest:HttpUrl '{HttpUrl}' must be an absolute http:// or https:// URL with an IP address " +
                "(https:// needs Http:Certificate:Path).", [nameof(HttpUrl)]);
        }
    }
}
