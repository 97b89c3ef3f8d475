using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Ingest.Sinks.Redis;

/// <summary>
/// Live vehicle state in Redis. Bound from the <c>Redis</c> section (environment: <c>INGEST_Redis__Endpoint</c>, ...).
/// When <see cref="Endpoint"/> is empty, state is kept in process (<see cref="InMemoryVehicleStateStore"/>).
/// </summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:16379</c> or <c>host1:6379,host2:6379,password=...</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>First part of every key. Default <c>tm</c> (state hash: <c>tm:{VIN}:state</c>).</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.:-]{1,32}$")]
    public string KeyPrefix { get; set; } = "tm";

    /// <summary>
    /// Number of online sorted sets (<c>tm:online:{n}</c>). One set would be one Redis Cluster slot, so one node takes
    /// every presence write; 16 shards spread them. Default 16.
    /// </summary>
    [Range(1, 1024)]
    public int OnlineShards { get; set; } = 16;

    /// <summary>A vehicle not seen for this long is not listed as online, even without a logout. Default 10 min.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan OnlineTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A vehicle with no frame for this long is marked offline by the state sweep: a terminal that dropped without a
    /// logout. Keep it longer than the listeners' <c>IdleTimeout</c> (3 min), so that a vehicle whose connection is still
    /// open is never marked offline. Default 5 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan OfflineAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The state of a vehicle with no frame for this long is deleted by the sweep (random or retired VINs do not stay
    /// for ever). Default 30 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the state sweep (offline, forget) runs. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Vehicles the in-process store (no Redis) keeps at most; beyond it the least recently seen are evicted.
    /// Default 200,000 (about 100 MB).
    /// </summary>
    [Range(1, 100_000_000)]
    public int MaxInProcessVehicles { get; set; } = 200_000;

    /// <summary>
    /// Rebuild live state from ClickHouse when Redis is found without this deployment's sentinel key
    /// (<c>tm:{meta}:epoch</c>): a Redis that restarted without persistence, or a first start. Default true.
    /// </summary>
    public bool RebuildFromClickHouse { get; set; } = true;

    /// <summary>How often the sentinel is checked besides at start and after each reconnect. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan EpochCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Approximate cap of the live update stream <c>tm:live</c> (XADD MAXLEN ~). 0: no stream. Default 100,000.</summary>
    [Range(0, 100_000_000)]
    public int LiveStreamMaxLength { get; set; } = 100_000;

    /// <summary>Channel to PUBLISH each update on (JSON). Empty (the default): no publish.</summary>
    public string? LiveChannel { get; set; }

    /// <summary>Time allowed to connect before a command fails. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time a command may take before it counts as failed. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Spool records the state sink reads and pipelines at once. Default 1,000.</summary>
    [Range(1, 100_000)]
    public int BatchRecords { get; set; } = 1_000;

    /// <summary>Longest wait for the first record of a batch. Default 100 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>First delay after Redis was unavailable; doubled per consecutive failure. Default 200 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of the retry delay. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint);
}

[OptionsValidator]
public sealed partial class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
}
