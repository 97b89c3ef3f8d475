using System.Diagnostics;
using System.Diagnostics.Metrics;
using Ingest.Protocol.Errors;

namespace Ingest.Diagnostics;

/// <summary>
/// The terminal-facing instruments (meter "Ingest.Sessions"). Per-frame events are counted here, never logged.
/// Names follow OpenTelemetry conventions; the Prometheus exporter turns dots into underscores.
/// </summary>
public sealed class IngestMetrics : IDisposable
{
    public const string MeterName = "Ingest.Sessions";

    private readonly Meter _meter;
    private readonly Counter<long> _connectionsOpened;
    private readonly Counter<long> _connectionsClosed;
    private readonly Counter<long> _connectionsRefused;
    private readonly UpDownCounter<long> _connectionsActive;
    private readonly Counter<long> _logins;
    private readonly Counter<long> _frames;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _decodeErrors;
    private readonly Counter<long> _rejectedFrames;
    private readonly Counter<long> _replies;
    private readonly Histogram<double> _ackLatency;

    public IngestMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _connectionsOpened = _meter.CreateCounter<long>("ingest.connections.opened", "{connection}", "Terminal connections accepted.");
        _connectionsClosed = _meter.CreateCounter<long>("ingest.connections.closed", "{connection}", "Terminal connections ended, by reason.");
        _connectionsRefused = _meter.CreateCounter<long>("ingest.connections.refused", "{connection}", "Connections closed at once because the listener was full.");
        _connectionsActive = _meter.CreateUpDownCounter<long>("ingest.connections.active", "{connection}", "Terminal connections open now.");
        _logins = _meter.CreateCounter<long>("ingest.logins", "{login}", "Vehicle logins accepted, by listener and protocol.");
        _frames = _meter.CreateCounter<long>("ingest.frames", "{frame}", "Frames accepted into the spool, by protocol and command.");
        _bytes = _meter.CreateCounter<long>("ingest.bytes", "By", "Bytes of accepted frames, by protocol.");
        _decodeErrors = _meter.CreateCounter<long>("ingest.decode.errors", "{error}", "Malformed input skipped by the framer, by kind.");
        _rejectedFrames = _meter.CreateCounter<long>("ingest.frames.rejected", "{frame}", "Well-formed frames not accepted, by reason (vin_mismatch, spool_full, spool_unavailable, not_logged_in, signature_invalid).");
        _replies = _meter.CreateCounter<long>("ingest.replies", "{frame}", "Replies sent to terminals, by command.");
        _ackLatency = _meter.CreateHistogram<double>("ingest.ack.latency", "s",
            "From a read's last byte to its replies written: spool commit included.", advice: DiagnosticBuckets.AckSeconds);
    }

    public void ConnectionOpened(string listener)
    {
        _connectionsOpened.Add(1, new KeyValuePair<string, object?>("listener", listener));
        _connectionsActive.Add(1, new KeyValuePair<string, object?>("listener", listener));
    }

    public void ConnectionClosed(string listener, string reason)
    {
        _connectionsClosed.Add(1, new("listener", listener), new("reason", reason));
        _connectionsActive.Add(-1, new KeyValuePair<string, object?>("listener", listener));
    }

    public void ConnectionRefused(string listener) => _connectionsRefused.Add(1, new KeyValuePair<string, object?>("listener", listener));

    public void Login(string listener, string protocol) => _logins.Add(1, new("listener", listener), new("protocol", protocol));

    public void FrameAccepted(string protocol, string command, int length)
    {
        _frames.Add(1, new("protocol", protocol), new("command", command));
        _bytes.Add(length, new KeyValuePair<string, object?>("protocol", protocol));
    }

    public void DecodeError(string listener, DecodeErrorKind kind, int bytes) =>
        _decodeErrors.Add(1, new("listener", listener), new("kind", DiagnosticNames.Of(kind)));

    public void FrameRejected(string listener, string reason) =>
        _rejectedFrames.Add(1, new("listener", listener), new("reason", reason));

    public void ReplySent(string command) => _replies.Add(1, new KeyValuePair<string, object?>("command", command));

    public void AckLatency(long startTimestamp) =>
        _ackLatency.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    public void Dispose() => _meter.Dispose();
}

/// <summary>
/// Bucket boundaries for durations recorded in seconds: the exporter's defaults (0, 5, 10, 25, ...) are meant for
/// milliseconds and would put every commit or insert in the first bucket.
/// </summary>
public static class DiagnosticBuckets
{
    public static InstrumentAdvice<double> Seconds { get; } = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    /// <summary>
    /// For acknowledgement latency: finer where the goal sits (a few milliseconds: one group commit is an fsync,
    /// 1-5 ms here) so p50 and p99 land in different buckets, and up to seconds to show a stall.
    /// </summary>
    public static InstrumentAdvice<double> AckSeconds { get; } = new()
    {
        HistogramBucketBoundaries =
        [
            0.00025, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1,
            0.25, 0.5, 1, 2.5,
        ],
    };
}

/// <summary>Stable lower-case names for metric tags, so a renamed enum member cannot silently split a series.</summary>
public static class DiagnosticNames
{
    /// <summary>The snake_case name of an error kind; one vocabulary with the decode output.</summary>
    public static string Of(DecodeErrorKind kind) => Ingest.Protocol.Primitives.DecodeJson.ErrorName(kind);

    private static readonly string[] s_hex = Enumerable.Range(0, 256).Select(i => $"0x{i:X2}").ToArray();

    /// <summary>"0x02" without allocating per frame.</summary>
    public static string Hex(byte value) => s_hex[value];
}
