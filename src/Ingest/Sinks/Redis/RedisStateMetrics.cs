using System.Diagnostics.Metrics;

namespace Ingest.Sinks.Redis;

/// <summary>Meter <c>Ingest.Redis</c>: state updates applied and dropped, failures, pipeline latency.</summary>
public sealed class RedisStateMetrics
{
    public const string MeterName = "Ingest.Redis";

    private readonly Counter<long> _applied;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _vehicles;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _applyDuration;
    private readonly Counter<long> _markedOffline;
    private readonly Counter<long> _forgotten;
    private readonly Counter<long> _rebuilds;
    private readonly Counter<long> _rebuildUpdates;

    public RedisStateMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _applied = meter.CreateCounter<long>("ingest.redis.updates_applied", "{update}", "State updates written to the store.");
        _vehicles = meter.CreateCounter<long>("ingest.redis.vehicles_written", "{vehicle}", "Vehicle states written: the updates applied after merging each batch per VIN.");
        _dropped = meter.CreateCounter<long>("ingest.redis.updates_dropped", "{update}", "State updates not written because the store was unreachable (re-read from the spool later).");
        _errors = meter.CreateCounter<long>("ingest.redis.errors", "{error}", "Failed pipelines and projections, by kind.");
        _applyDuration = meter.CreateHistogram<double>("ingest.redis.apply.duration", "s", "Duration of one pipelined batch of updates.",
            advice: Ingest.Diagnostics.DiagnosticBuckets.Seconds);
        _markedOffline = meter.CreateCounter<long>("ingest.redis.sweep.marked_offline", "{vehicle}", "Vehicles marked offline by the sweep after Redis:OfflineAfter of silence.");
        _forgotten = meter.CreateCounter<long>("ingest.redis.sweep.forgotten", "{vehicle}", "Vehicle states deleted by the sweep after Redis:ForgetAfter unseen.");
        _rebuilds = meter.CreateCounter<long>("ingest.redis.rebuilds", "{rebuild}", "Rebuilds of live state from ClickHouse, by outcome.");
        _rebuildUpdates = meter.CreateCounter<long>("ingest.redis.rebuild.updates", "{update}", "State updates written by rebuilds from ClickHouse.");
    }

    public void Swept(StateSweepResult result)
    {
        _markedOffline.Add(result.MarkedOffline);
        _forgotten.Add(result.Forgotten);
    }

    public void Rebuilt(bool succeeded, int updates)
    {
        _rebuilds.Add(1, new KeyValuePair<string, object?>("outcome", succeeded ? "ok" : "failed"));
        _rebuildUpdates.Add(updates);
    }

    public void Applied(int updates, int vehicles, TimeSpan elapsed)
    {
        _applied.Add(updates);
        _vehicles.Add(vehicles);
        _applyDuration.Record(elapsed.TotalSeconds);
    }

    public void Dropped(int updates) => _dropped.Add(updates);

    public void Error(string kind) => _errors.Add(1, new KeyValuePair<string, object?>("kind", kind));
}
