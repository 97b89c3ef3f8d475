using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Ingest.Sinks.ClickHouse;

/// <summary>
/// Where and how the ClickHouse sink writes. Bound from the <c>ClickHouse</c> section (environment:
/// <c>INGEST_ClickHouse__Endpoint</c>, ...). When <see cref="Endpoint"/> is empty the sink is not started and frames
/// stay in the spool.
/// </summary>
public sealed class ClickHouseOptions
{
    public const string SectionName = "ClickHouse";

    /// <summary>HTTP endpoint, e.g. <c>http://127.0.0.1:18123</c>. Empty: ClickHouse is not configured.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Database holding the tables; created when missing. Default <c>telematics</c>.</summary>
    [Required]
    [RegularExpression(SqlLiteral.IdentifierPattern)]
    public string Database { get; set; } = "telematics";

    /// <summary>User name. Default <c>default</c>.</summary>
    [Required]
    public string User { get; set; } = "default";

    /// <summary>Password; empty for none.</summary>
    public string Password { get; set; } = "";

    /// <summary>
    /// Cluster name for the sharded variant (ReplicatedReplacingMergeTree tables behind Distributed tables, DDL
    /// <c>ON CLUSTER</c>). Empty (the default): single server.
    /// </summary>
    [RegularExpression(SqlLiteral.IdentifierPattern)]
    public string? Cluster { get; set; }

    /// <summary>
    /// Spool records per insert batch: frames_raw gets one row per record, the sample tables one per sample. Default 10,000.
    /// </summary>
    [Range(1, 1_000_000)]
    public int BatchRows { get; set; } = 10_000;

    /// <summary>A batch takes no further spool read once its records reach this many bytes. Default 8 MiB.</summary>
    [Range(typeof(long), "65536", "1073741824")]
    public long BatchBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Batches whose inserts may run at once: with 2 (the default) the next batch is read and projected while the
    /// previous insert is in flight. Cursors are committed in order.
    /// </summary>
    [Range(1, 16)]
    public int MaxInFlightBatches { get; set; } = 2;

    /// <summary>Longest time a buffered row waits before it is inserted (the consumer loop's linger). Default 500 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>First delay after a failed insert; doubled per consecutive failure. Default 200 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of the retry delay while ClickHouse stays down. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>HTTP request timeout for one insert or query. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed at shutdown to insert what is still buffered (it is re-read from the spool otherwise). Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ShutdownFlushTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>True when an endpoint is set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint);
}

[OptionsValidator]
public sealed partial class ClickHouseOptionsValidator : IValidateOptions<ClickHouseOptions>
{
}

/// <summary>Checks that need more than one property or a parsed value.</summary>
public sealed class ClickHouseOptionsEndpointValidator : IValidateOptions<ClickHouseOptions>
{
    public ValidateOptionsResult Validate(string? name, ClickHouseOptions options)
    {
        if (options.IsConfigured
            && (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            return ValidateOptionsResult.Fail($"ClickHouse:Endpoint '{options.Endpoint}' is not an http(s) URL such as http://127.0.0.1:8123.");
        }
        if (options.MinRetryDelay > options.MaxRetryDelay)
        {
            return ValidateOptionsResult.Fail("ClickHouse:MinRetryDelay must not exceed ClickHouse:MaxRetryDelay.");
        }
        return ValidateOptionsResult.Success;
    }
}
