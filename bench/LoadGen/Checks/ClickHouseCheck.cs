using System.Diagnostics;
using System.Globalization;
using System.Text;
using LoadGen.Fleet;
using LoadGen.Safety;

namespace LoadGen.Checks;

/// <summary>
/// Counts the rows ClickHouse holds per VIN in <c>&lt;database&gt;.frames_raw</c> (FINAL, so replaced duplicates
/// are not counted) over the HTTP interface, and compares them with the frames the terminals had acknowledged.
/// The SQL is kept to what ClickHouse 18.16 understands: no query parameters, values escaped into the text.
/// </summary>
public static class ClickHouseCheck
{
    public const string Table = "frames_raw";

    /// <summary>VINs per query: keeps each statement far below ClickHouse's default 256 KiB max_query_size.</summary>
    public const int VinsPerQuery = 2000;

    /// <summary>True for a plain identifier (letters, digits, underscore, not starting with a digit): safe to splice into SQL.</summary>
    public static bool IsPlainIdentifier(string name) =>
        name.Length is > 0 and <= 128 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>The count query for one batch of VINs.</summary>
    public static string BuildCountQuery(string database, IEnumerable<string> vins)
    {
        if (!IsPlainIdentifier(database))
        {
            throw new ArgumentException($"'{database}' is not a plain database name (letters, digits, underscore).", nameof(database));
        }
        var sql = new StringBuilder();
        sql.Append("SELECT vin, count() FROM ").Append(database).Append('.').Append(Table).Append(" FINAL WHERE vin IN (");
        bool first = true;
        foreach (var vin in vins)
        {
            if (!first)
            {
                sql.Append(',');
            }
            first = false;
            AppendStringLiteral(sql, vin);
        }
        if (first)
        {
            throw new ArgumentException("At least one VIN is needed.", nameof(vins));
        }
        sql.Append(") GROUP BY vin FORMAT TabSeparated");
        return sql.ToString();
    }

    /// <summary>A single-quoted SQL string with backslash and quote escaped (ClickHouse string literal rules).</summary>
    public static void AppendStringLiteral(StringBuilder sql, string value)
    {
        sql.Append('\'');
        foreach (char c in value)
        {
            if (c is '\\' or '\'')
            {
                sql.Append('\\');
            }
            sql.Append(c);
        }
        sql.Append('\'');
    }

    /// <summary>Parses "vin TAB count" lines (TabSeparated output, escapes undone). Throws <see cref="FormatException"/> on anything else.</summary>
    public static Dictionary<string, long> ParseCounts(string tabSeparated)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (var rawLine in tabSeparated.Split('\n'))
        {
            lineNumber++;
            string line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            int tab = line.IndexOf('\t');
            if (tab < 0 || line.IndexOf('\t', tab + 1) >= 0)
            {
                throw new FormatException($"Line {lineNumber} is not 'vin<TAB>count': '{line}'.");
            }
            if (!long.TryParse(line.AsSpan(tab + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long count))
            {
                throw new FormatException($"Line {lineNumber}: '{line[(tab + 1)..]}' is not a row count.");
            }
            string vin = Unescape(line[..tab]);
            counts[vin] = counts.GetValueOrDefault(vin) + count;
        }
        return counts;
    }

    /// <summary>Undoes TabSeparated escaping (\t, \n, \\, \' and friends).</summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\'))
        {
            return field;
        }
        var sb = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            char c = field[i];
            if (c != '\\' || i + 1 == field.Length)
            {
                sb.Append(c);
                continue;
            }
            char next = field[++i];
            sb.Append(next switch
            {
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                '0' => '\0',
                'b' => '\b',
                'f' => '\f',
                _ => next,
            });
        }
        return sb.ToString();
    }

    /// <summary>
    /// Queries the row counts of every terminal's VIN and compares them with what was acknowledged, repeating
    /// every second until they match or <paramref name="wait"/> has passed (the sink writes behind the spool).
    /// </summary>
    public static async Task<StorageCheckResult> RunAsync(HttpClient http, Uri url, string database, IReadOnlyList<TerminalResult> terminals,
        IReadOnlyCollection<byte> commands, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        string target = $"clickhouse {url} {database}.{Table}";
        if (!LoopbackGuard.TryCheckUrl(url.ToString(), out _, out var urlError))
        {
            return StorageCheckResult.Failed(target, urlError, TimeSpan.Zero);
        }
        if (!IsPlainIdentifier(database))
        {
            return StorageCheckResult.Failed(target, $"'{database}' is not a plain database name.", TimeSpan.Zero);
        }
        var started = Stopwatch.StartNew();
        while (true)
        {
            StorageCheckResult result;
            try
            {
                var found = await CountAsync(http, url, database, terminals.Select(t => t.Vin), cancellationToken);
                result = StorageCheckResult.Compare(target, terminals, commands, found, duplicatesAllowed: false, started.Elapsed);
            }
            catch (Exception ex) when (ex is HttpRequestException or FormatException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                result = StorageCheckResult.Failed(target, ex.Message, started.Elapsed);
            }
            if (result.Passed || started.Elapsed >= wait || cancellationToken.IsCancellationRequested)
            {
                return result;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>Rows per VIN, one POST per batch of <see cref="VinsPerQuery"/> VINs.</summary>
    public static async Task<Dictionary<string, long>> CountAsync(HttpClient http, Uri url, string database, IEnumerable<string> vins,
        CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var batch in vins.Chunk(VinsPerQuery))
        {
            using var content = new StringContent(BuildCountQuery(database, batch), Encoding.UTF8, "text/plain");
            using var response = await http.PostAsync(url, content, cancellationToken);
            string body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"ClickHouse answered {(int)response.StatusCode}: {body.Trim()}");
            }
            foreach (var (vin, count) in ParseCounts(body))
            {
                counts[vin] = counts.GetValueOrDefault(vin) + count;
            }
        }
        return counts;
    }
}
