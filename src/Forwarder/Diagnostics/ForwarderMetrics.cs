using System.Diagnostics.Metrics;

namespace Ingest.Forwarder.Diagnostics;

/// <summary>Relay instruments (meter "Ingest.Forwarder"), tagged by link.</summary>
public sealed class ForwarderMetrics : IDisposable
{
    public const string MeterName = "Ingest.Forwarder";

    private readonly Meter _meter;
    private readonly Counter<long> _relayed;
    private readonly Counter<long> _reissued;
    private readonly Counter<long> _connects;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _loginsRejected;

    public ForwarderMetrics(IMeterFactory factory)
    {
        _meter = factory.Create(MeterName);
        _relayed = _meter.CreateCounter<long>("forwarder.frames.relayed", "{frame}", "Frames written to a superior platform, by link and command.");
        _reissued = _meter.CreateCounter<long>("forwarder.frames.reissued", "{frame}", "Realtime frames sent late as reissue (0x03) after an outage or backlog.");
        _connects = _meter.CreateCounter<long>("forwarder.link.logins", "{login}", "Successful platform logins, by link.");
        _failures = _meter.CreateCounter<long>("forwarder.link.failures", "{failure}", "Link failures (connect, timeout, reset), by link and kind.");
        _loginsRejected = _meter.CreateCounter<long>("forwarder.link.logins_rejected", "{login}", "Platform logins the superior platform refused.");
    }

    public void Relayed(string link, byte command, int count) =>
        _relayed.Add(count, new("link", link), new("command", $"0x{command:X2}"));

    public void Reissued(string link) => _reissued.Add(1, new KeyValuePair<string, object?>("link", link));

    public void LoggedIn(string link) => _connects.Add(1, new KeyValuePair<string, object?>("link", link));

    public void Failure(string link, string kind) => _failures.Add(1, new("link", link), new("kind", kind));

    public void LoginRejected(string link) => _loginsRejected.Add(1, new KeyValuePair<string, object?>("link", link));

    public void Dispose() => _meter.Dispose();
}
