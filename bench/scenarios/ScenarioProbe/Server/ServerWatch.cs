using System.Globalization;
using System.Text.Json;

namespace ScenarioProbe.Server;

/// <summary>One look at the server's /readyz: spool end and each consumer's lag in bytes.</summary>
public sealed record ReadySample(int Sessions, long NextOffset, IReadOnlyDictionary<string, long> ConsumerLagBytes);

/// <summary>
/// Reads the ingest server's /readyz and /metrics (Prometheus text) over loopback HTTP; /metrics from the server's
/// metrics-only address (<c>Http:MetricsUrl</c>), where it needs no API key.
/// </summary>
public sealed class ServerWatch(HttpClient http, Uri baseUrl, Uri metricsUrl)
{
    public async Task<ReadySample> ReadyAsync(CancellationToken cancellationToken)
    {
        // /readyz answers 503 with the same body when the spool is full or faulted: read it either way.
        using var response = await http.GetAsync(new Uri(baseUrl, "/readyz"), cancellationToken);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = doc.RootElement;
        var spool = root.GetProperty("spool");
        var lags = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var p in spool.GetProperty("consumer_lag_bytes").EnumerateObject())
        {
            lags[p.Name] = p.Value.GetInt64();
        }
        return new ReadySample(root.GetProperty("sessions").GetInt32(), spool.GetProperty("next_offset").GetInt64(), lags);
    }

    public async Task<Dictionary<string, double>> MetricsAsync(CancellationToken cancellationToken) =>
        ParseTotals(await http.GetStringAsync(new Uri(metricsUrl, "/metrics"), cancellationToken));

    /// <summary>Prometheus text to one total per metric name (labels summed).</summary>
    public static Dictionary<string, double> ParseTotals(string text)
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            int nameEnd = line.IndexOfAny(['{', ' ']);
            int valueStart = line.LastIndexOf(' ');
            if (nameEnd <= 0 || valueStart <= 0)
            {
                continue;
            }
            // Lines may end with a timestamp: "name{..} value timestamp". Take the field after the labels.
            string afterLabels = line[(line[nameEnd] == '{' ? line.IndexOf('}', nameEnd) + 1 : nameEnd)..].Trim();
            string valueText = afterLabels.Split(' ')[0];
            if (double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                string name = line[..nameEnd];
                totals[name] = totals.GetValueOrDefault(name) + value;
            }
        }
        return totals;
    }
}
