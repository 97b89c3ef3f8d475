using System.Diagnostics.Metrics;

namespace Ingest.Sinks.ClickHouse;

/// <summary>Meter <c>Ingest.ClickHouse</c>: what the sink wrote, how often it failed and how long inserts took.</summary>
public sealed class ClickHouseSinkMetrics
{
    public const string MeterName = "Ingest.ClickHouse";

    private readonly Counter<long> _rowsWritten;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _recordsCommitted;
    private readonly Histogram<double> _insertDuration;

    public ClickHouseSinkMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _rowsWritten = meter.CreateCounter<long>("ingest.clickhouse.rows_written", "{row}", "Rows inserted, by table (a retried batch counts again).");
        _batches = meter.CreateCounter<long>("ingest.clickhouse.batches", "{batch}", "Batches fully inserted and committed.");
        _errors = meter.CreateCounter<long>("ingest.clickhouse.errors", "{error}", "Failed inserts, projections and connection attempts, by kind.");
        _recordsCommitted = meter.CreateCounter<long>("ingest.clickhouse.records_committed", "{record}", "Spool records whose rows are stored.");
        _insertDuration = meter.CreateHistogram<double>("ingest.clickhouse.insert.duration", "s", "Duration of one table insert.",
            advice: Ingest.Diagnostics.DiagnosticBuckets.Seconds);
    }

    public void Inserted(string table, int rows, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("table", table);
        _rowsWritten.Add(rows, tag);
        _insertDuration.Record(elapsed.TotalSeconds, tag);
    }

    public void Committed(int records)
    {
        _batches.Add(1);
        _recordsCommitted.Add(records);
    }

    public void Error(string kind) => _errors.Add(1, new KeyValuePair<string, object?>("kind", kind));
}
