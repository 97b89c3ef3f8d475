using System.Diagnostics.Metrics;

namespace Ingest.Sinks.Redis;

/// <summary>Meter <c>Ingest.Redis</c>: state updates applied and dropped, failures, pipeline latency.</summary>
public sealed class RedisStateMetrics
{
    public const string MeterName = "Ingest.Redis";

    private readonly Counter<long> _applied;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _applyDuration;

    public RedisStateMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _applied = meter.CreateCounter<long>("ingest.redis.updates_applied", "{update}", "State updates written to the store.");
        _dropped = meter.CreateCounter<long>("ingest.redis.updates_dropped", "{update}", "State updates not written because the store was unreachable (re-read from the spool later).");
        _errors = meter.CreateCounter<long>("ingest.redis.errors", "{error}", "Failed pipelines and projections, by kind.");
        _applyDuration = meter.CreateHistogram<double>("ingest.redis.apply.duration", "s", "Duration of one pipelined batch of updates.",
            advice: Ingest.Diagnostics.DiagnosticBuckets.Seconds);
    }

    public void Applied(int updates, TimeSpan elapsed)
    {
        _applied.Add(updates);
        _applyDuration.Record(elapsed.TotalSeconds);
    }

    public void Dropped(int updates) => _dropped.Add(updates);

    public void Error(string kind) => _errors.Add(1, new KeyValuePair<string, object?>("kind", kind));
}
