using System.Diagnostics.Metrics;

namespace Ingest.Downlink;

/// <summary>Downlink command instruments (meter "Ingest.Commands"); the Prometheus exporter turns dots into underscores.</summary>
public sealed class CommandMetrics : IDisposable
{
    public const string MeterName = "Ingest.Commands";

    /// <summary>From milliseconds on a LAN to the longest allowed wait (Commands:MaxReplyTimeout may reach 10 min).</summary>
    private static readonly InstrumentAdvice<double> LatencyBuckets = new()
    {
        HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600],
    };

    private readonly Meter _meter;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _results;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _unsolicited;

    public CommandMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _sent = _meter.CreateCounter<long>("ingest.commands.sent", "{command}", "Downlink commands written to a terminal, by protocol and command.");
        _results = _meter.CreateCounter<long>("ingest.commands.results", "{command}",
            "Downlink command requests by outcome (accepted, refused, timeout, disconnected, offline, other_node, busy, not_supported, invalid, cancelled).");
        _latency = _meter.CreateHistogram<double>("ingest.commands.latency", "s",
            "From a command written to the terminal's answer, for answered commands (accepted or refused).", advice: LatencyBuckets);
        _unsolicited = _meter.CreateCounter<long>("ingest.commands.unsolicited", "{frame}",
            "Terminal answers to 0x80-0x82 that no command waited for (late after a timeout, or unasked).");
    }

    public void Sent(string protocol, string command) => _sent.Add(1, new("protocol", protocol), new("command", command));

    public void Result(string command, string outcome) => _results.Add(1, new("command", command), new("outcome", outcome));

    public void Latency(string command, string outcome, double seconds) =>
        _latency.Record(seconds, new("command", command), new("outcome", outcome));

    public void Unsolicited(string command) => _unsolicited.Add(1, new KeyValuePair<string, object?>("command", command));

    public void Dispose() => _meter.Dispose();
}
