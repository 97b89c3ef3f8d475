using System.Diagnostics.Metrics;
using Ingest.Transport;

namespace Ingest.Sessions;

/// <summary>Admission and rate-limit counters (meter "Ingest.Admission"): what was kept out, and why.</summary>
public sealed class AdmissionMetrics : IDisposable
{
    public const string MeterName = "Ingest.Admission";

    private readonly Meter _meter;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _takeoversRefused;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _unfiled;

    public AdmissionMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _refused = _meter.CreateCounter<long>("ingest.admission.refused", "{login}",
            "Logins (or first frames) refused by the listener's admission policy and closed, by reason (unknown_vin, iccid_mismatch, iccid_unreadable, login_required, rate_limited).");
        _takeoversRefused = _meter.CreateCounter<long>("ingest.admission.takeover.refused", "{login}",
            "Refused logins for a VIN that was online: the connected vehicle stayed.");
        _rateLimited = _meter.CreateCounter<long>("ingest.rate_limited", "{event}",
            "Connections and logins closed at once for a rate limit, by kind (connect, login) and scope (address, total).");
        _unfiled = _meter.CreateCounter<long>("ingest.admission.unfiled", "{session}",
            "Sessions an open listener admitted for a VIN not in the registry (their frames are marked unfiled).");
    }

    public void Refused(string listener, string reason) => _refused.Add(1, new("listener", listener), new("reason", reason));

    public void TakeoverRefused(string listener, string reason) => _takeoversRefused.Add(1, new("listener", listener), new("reason", reason));

    public void RateLimited(string listener, string kind, RateLimitScope scope) =>
        _rateLimited.Add(1, new("listener", listener), new("kind", kind), new("scope", scope == RateLimitScope.Address ? "address" : "total"));

    public void Unfiled(string listener) => _unfiled.Add(1, new KeyValuePair<string, object?>("listener", listener));

    public void Dispose() => _meter.Dispose();
}
