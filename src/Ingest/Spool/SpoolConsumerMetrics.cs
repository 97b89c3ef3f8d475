using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ingest.Diagnostics;

namespace Ingest.Spool;

/// <summary>
/// Meter <c>Ingest.SpoolConsumers</c>, tagged by consumer: records and batches delivered, failures, delivery time.
/// Also the list of running loops that /readyz reports. Lag is <c>ingest.spool.consumer.lag</c> of the spool's meter.
/// </summary>
public sealed class SpoolConsumerMetrics
{
    public const string MeterName = "Ingest.SpoolConsumers";

    private readonly ConcurrentDictionary<string, SpoolConsumerLoop> _loops = new(StringComparer.Ordinal);
    private readonly Counter<long> _records;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _deliveryDuration;

    public SpoolConsumerMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _records = meter.CreateCounter<long>("ingest.spool.consumer.delivered.records", "{record}", "Records delivered and committed.");
        _batches = meter.CreateCounter<long>("ingest.spool.consumer.batches", "{batch}", "Batches delivered and committed.");
        _failures = meter.CreateCounter<long>("ingest.spool.consumer.failures", "{failure}",
            "Failed deliveries, reads, commits and preparations; each rewinds to the committed cursor.");
        _deliveryDuration = meter.CreateHistogram<double>("ingest.spool.consumer.delivery.duration", "s",
            "From sending a batch to its outcome (insert done, platform confirmed).", advice: DiagnosticBuckets.Seconds);
        meter.CreateObservableGauge("ingest.spool.consumer.retrying", ObserveRetrying, "{state}",
            "1 while a consumer backs off after a failure, else 0.");
    }

    /// <summary>Every loop that runs, by name.</summary>
    public IReadOnlyCollection<SpoolConsumerStatus> Snapshot() => _loops.Values.Select(l => l.Status).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();

    internal void Started(SpoolConsumerLoop loop) => _loops[loop.Name] = loop;

    internal void Stopped(SpoolConsumerLoop loop) => _loops.TryRemove(new KeyValuePair<string, SpoolConsumerLoop>(loop.Name, loop));

    internal void Delivered(in KeyValuePair<string, object?> consumer, int records, TimeSpan elapsed)
    {
        _records.Add(records, consumer);
        _batches.Add(1, consumer);
        _deliveryDuration.Record(elapsed.TotalSeconds, consumer);
    }

    internal void Failed(in KeyValuePair<string, object?> consumer) => _failures.Add(1, consumer);

    private IEnumerable<Measurement<int>> ObserveRetrying() =>
        _loops.Values.Select(l => new Measurement<int>(l.State == SpoolConsumerState.Retrying ? 1 : 0, new KeyValuePair<string, object?>("consumer", l.Name)));
}
