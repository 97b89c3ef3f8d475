using System.Diagnostics.Metrics;

namespace Ingest.AlarmEvents;

/// <summary>Meter <c>Ingest.AlarmEvents</c>: events detected, active alarms, deliveries per destination and their latency.</summary>
public sealed class AlarmMetrics
{
    public const string MeterName = "Ingest.AlarmEvents";

    private readonly Counter<long> _events;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _snapshot;
    private int _active;
    private int _vehicles;

    public AlarmMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _events = meter.CreateCounter<long>("ingest.alarms.events", "{event}", "Alarm event phases detected, by kind and phase.");
        _delivered = meter.CreateCounter<long>("ingest.alarms.delivered", "{event}", "Alarm event phases delivered, by destination.");
        _failures = meter.CreateCounter<long>("ingest.alarms.delivery.failures", "{failure}", "Failed delivery attempts (retried from the destination's cursor), by destination.");
        _latency = meter.CreateHistogram<double>("ingest.alarms.delivery.latency", "s",
            "From the frame that caused an event phase being received to the phase delivered, by destination.",
            advice: Ingest.Diagnostics.DiagnosticBuckets.Seconds);
        _snapshot = meter.CreateHistogram<double>("ingest.alarms.snapshot.duration", "s", "Writing the detector's state snapshot (fsync included).",
            advice: Ingest.Diagnostics.DiagnosticBuckets.Seconds);
        meter.CreateObservableGauge("ingest.alarms.active", () => Volatile.Read(ref _active), "{alarm}", "Alarms active now (started, not ended).");
        meter.CreateObservableGauge("ingest.alarms.vehicles", () => Volatile.Read(ref _vehicles), "{vehicle}", "Vehicles the detector keeps a state for.");
    }

    public void Detected(AlarmEvent e) =>
        _events.Add(1, new KeyValuePair<string, object?>("kind", AlarmEvent.KindName(e.Kind)), new KeyValuePair<string, object?>("phase", e.Phase == AlarmPhase.Start ? "start" : "end"));

    public void Delivered(string destination, TimeSpan latency)
    {
        var tag = new KeyValuePair<string, object?>("destination", destination);
        _delivered.Add(1, tag);
        _latency.Record(Math.Max(0, latency.TotalSeconds), tag);
    }

    public void DeliveryFailed(string destination) => _failures.Add(1, new KeyValuePair<string, object?>("destination", destination));

    public void SnapshotWritten(TimeSpan elapsed, int vehicles, int active)
    {
        _snapshot.Record(elapsed.TotalSeconds);
        Volatile.Write(ref _vehicles, vehicles);
        Volatile.Write(ref _active, active);
    }
}
