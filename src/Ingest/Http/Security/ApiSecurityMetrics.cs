using System.Diagnostics.Metrics;

namespace Ingest.Http.Security;

/// <summary>Counters of refused HTTP requests, meter <c>Ingest.Http</c>.</summary>
public sealed class ApiSecurityMetrics
{
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _forbidden;
    private readonly Counter<long> _hidden;

    public ApiSecurityMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(HistoryQueryLimiter.MeterName);
        _authFailures = meter.CreateCounter<long>("ingest.http.auth.failures", "{request}",
            "Requests answered 401, by reason: missing, malformed, unknown, wrong_secret, revoked.");
        _forbidden = meter.CreateCounter<long>("ingest.http.auth.forbidden", "{request}",
            "Requests answered 403: the key is valid but lacks the endpoint's scope.");
        _hidden = meter.CreateCounter<long>("ingest.http.tenant.hidden", "{request}",
            "Requests answered 404 because the vehicle belongs to another tenant or is not filed (non-admin key).");
    }

    public void AuthenticationFailed(ApiKeyRejection reason) =>
        _authFailures.Add(1, new KeyValuePair<string, object?>("reason", Label(reason)));

    public void Forbidden() => _forbidden.Add(1);

    public void HiddenByTenant() => _hidden.Add(1);

    private static string Label(ApiKeyRejection reason) => reason switch
    {
        ApiKeyRejection.Malformed => "malformed",
        ApiKeyRejection.Unknown => "unknown",
        ApiKeyRejection.WrongSecret => "wrong_secret",
        ApiKeyRejection.Revoked => "revoked",
        _ => "missing",
    };
}
