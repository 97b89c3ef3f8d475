using System.Globalization;
using System.Net;

namespace ChInsertBaseline;

/// <summary>What the insert loop reads, where it writes, and for how long. Loopback ClickHouse only.</summary>
public sealed record BaselineOptions(Uri ClickHouse, string SourceDatabase, string TargetDatabase, int BatchRows, TimeSpan Duration, bool Keep)
{
    /// <summary>The tables the server's sink fills, in the order it inserts them.</summary>
    public static readonly string[] Tables = ["frames_raw", "vehicle_samples", "emission_samples", "sessions"];

    public static BaselineOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }
            string name = args[i][2..];
            values[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }
        var url = new Uri(Take(values, "clickhouse") ?? throw new ArgumentException("--clickhouse is required."));
        if (!(url.IsLoopback || (IPAddress.TryParse(url.Host, out var ip) && IPAddress.IsLoopback(ip))))
        {
            throw new ArgumentException($"Refusing {url}: loopback ClickHouse only.");
        }
        string source = Identifier(Take(values, "source-db") ?? throw new ArgumentException("--source-db is required."));
        string target = Identifier(Take(values, "target-db") ?? source + "_baseline");
        int batchRows = int.Parse(Take(values, "batch-rows") ?? "10000", CultureInfo.InvariantCulture);
        var duration = ParseSeconds(Take(values, "duration") ?? "20s");
        bool keep = Take(values, "keep") is "true";
        if (values.Count > 0)
        {
            throw new ArgumentException("Unknown option(s): " + string.Join(", ", values.Keys.Select(k => "--" + k)));
        }
        if (batchRows < 1 || duration <= TimeSpan.Zero || duration > TimeSpan.FromHours(1))
        {
            throw new ArgumentException("--batch-rows must be positive and --duration between 0 and 1 h.");
        }
        if (source == target)
        {
            throw new ArgumentException("--target-db must differ from --source-db (the target is dropped afterwards).");
        }
        return new BaselineOptions(url, source, target, batchRows, duration, keep);
    }

    private static string? Take(Dictionary<string, string> values, string name) =>
        values.Remove(name, out var value) ? value : null;

    private static string Identifier(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? name
            : throw new ArgumentException($"'{name}' is not a plain database name.");

    private static TimeSpan ParseSeconds(string text) =>
        TimeSpan.FromSeconds(double.Parse(text.TrimEnd('s'), NumberStyles.Float, CultureInfo.InvariantCulture));
}
