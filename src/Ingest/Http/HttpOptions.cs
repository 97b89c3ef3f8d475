using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Ingest.Http;

/// <summary>
/// Limits of the HTTP query surface, bound from the <c>Http</c> section. History queries read ClickHouse and decode
/// every frame on this node's cores, the same cores the terminals' acknowledgements need: these limits keep a flood of
/// them from starving the terminal path.
/// </summary>
public sealed class HttpOptions
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
}

[OptionsValidator]
public sealed partial class HttpOptionsValidator : IValidateOptions<HttpOptions>
{
}
