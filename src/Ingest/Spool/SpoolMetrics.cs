using Ingest.Diagnostics;
using System.Diagnostics.Metrics;

namespace Ingest.Spool;

/// <summary>The spool's instruments on the "Ingest.Spool" meter.</summary>
internal sealed class SpoolMetrics : IDisposable
{
    public const string MeterName = "Ingest.Spool";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _appendedRecords;
    private readonly Counter<long> _appendedBytes;
    private readonly Counter<long> _rejectedRecords;
    private readonly Counter<long> _unavailableRecords;
    private readonly Counter<long> _writeErrors;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<int> _commitRecords;

    public SpoolMetrics(IMeterFactory? meterFactory, Func<SpoolStats> stats)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _appendedRecords = _meter.CreateCounter<long>("ingest.spool.appended.records", "{record}", "Records made durable.");
        _appendedBytes = _meter.CreateCounter<long>("ingest.spool.appended.bytes", "By", "Record bytes (with headers) made durable.");
        _rejectedRecords = _meter.CreateCounter<long>("ingest.spool.rejected.records", "{record}", "Appends refused because the disk budget was reached.");
        _unavailableRecords = _meter.CreateCounter<long>("ingest.spool.unavailable.records", "{record}",
            "Appends refused because a commit failed on a disk error (refused in the failed commit or during the backoff after it).");
        _writeErrors = _meter.CreateCounter<long>("ingest.spool.write.errors", "{error}", "Group commits that failed on an I/O error.");
        _commitDuration = _meter.CreateHistogram<double>("ingest.spool.commit.duration", "s", "Write plus fsync time of one group commit.",
            advice: DiagnosticBuckets.Seconds);
        _commitRecords = _meter.CreateHistogram<int>("ingest.spool.commit.records", "{record}", "Records per group commit.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000] });
        _meter.CreateObservableGauge("ingest.spool.disk.usage", () => stats().DiskBytes, "By", "Bytes taken by segment files.");
        _meter.CreateObservableGauge("ingest.spool.disk.budget", () => stats().DiskBudgetBytes, "By", "Configured disk budget.");
        _meter.CreateObservableGauge("ingest.spool.accepting", () => stats().CanAccept ? 1 : 0, "{state}",
            "1 when appends are accepted, 0 when refused (disk budget reached, backing off after a disk error, or faulted).");
        _meter.CreateObservableGauge("ingest.spool.disk.retained", () => stats().RetainedBytes, "By",
            "Bytes of consumed segments kept for the retention margin (reclaimed first at the budget).");
        _meter.CreateObservableGauge("ingest.spool.consumer.lag", () => ConsumerLag(stats()), "By", "Bytes between a consumer's committed cursor and the end of the log.");
    }

    public void Committed(int records, int bytes, TimeSpan duration)
    {
        _appendedRecords.Add(records);
        _appendedBytes.Add(bytes);
        _commitRecords.Record(records);
        _commitDuration.Record(duration.TotalSeconds);
    }

    public void Rejected(int records = 1) => _rejectedRecords.Add(records);

    public void Unavailable(int records = 1) => _unavailableRecords.Add(records);

    public void WriteFailed(int refusedRecords)
    {
        _writeErrors.Add(1);
        _unavailableRecords.Add(refusedRecords);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static IEnumerable<Measurement<long>> ConsumerLag(SpoolStats stats)
    {
        foreach (var (name, offset) in stats.ConsumerOffsets)
        {
            yield return new Measurement<long>(stats.NextOffset - offset, new KeyValuePair<string, object?>("consumer", name));
        }
    }
}
