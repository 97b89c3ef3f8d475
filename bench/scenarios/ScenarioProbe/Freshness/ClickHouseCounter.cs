using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ScenarioProbe.Freshness;

/// <summary>Runs one count query over ClickHouse's HTTP interface (SQL that 18.16 understands) and times it.</summary>
public sealed class ClickHouseCounter(HttpClient http, Uri url)
{
    public async Task<(long Count, long AnsweredTimestamp)> CountAsync(string sql, CancellationToken cancellationToken)
    {
        using var content = new StringContent(sql, Encoding.UTF8, "text/plain");
        using var response = await http.PostAsync(url, content, cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        long answered = Stopwatch.GetTimestamp();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"ClickHouse answered {(int)response.StatusCode}: {body.Trim()}");
        }
        return (long.Parse(body.Trim(), NumberStyles.None, CultureInfo.InvariantCulture), answered);
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        using var content = new StringContent(sql, Encoding.UTF8, "text/plain");
        using var response = await http.PostAsync(url, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"ClickHouse answered {(int)response.StatusCode}: {(await response.Content.ReadAsStringAsync(cancellationToken)).Trim()}");
        }
    }
}
