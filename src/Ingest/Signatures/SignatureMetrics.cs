using System.Diagnostics.Metrics;

namespace Ingest.Signatures;

/// <summary>Signature checks (meter "Ingest.Signatures"): <c>ingest_signature_checks_total{listener,verdict}</c>.</summary>
public sealed class SignatureMetrics
{
    public const string MeterName = "Ingest.Signatures";

    private readonly Counter<long> _checks;

    public SignatureMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _checks = meter.CreateCounter<long>("ingest.signature.checks", "{frame}",
            "Frames whose signature was judged, by listener and verdict (valid, invalid, no_key, unsigned, missing). Reject listeners count at the session, Flag listeners in the ClickHouse sink.");
    }

    public void Checked(string listener, SignatureVerdict verdict) =>
        _checks.Add(1, new KeyValuePair<string, object?>("listener", listener), new KeyValuePair<string, object?>("verdict", SignatureVerdicts.Name(verdict)));
}
