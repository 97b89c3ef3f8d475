using System.Globalization;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;

// Not "Ingest.Tests.System": a namespace named System would hide the real one in every test file.
namespace Ingest.Tests.SystemTests;

/// <summary>What the ClickHouse sink stored, read the way the system tests compare it with what terminals saw.</summary>
internal static class StoredRows
{
    /// <summary>Rows per VIN of <paramref name="table"/> (FINAL or not) matching an optional WHERE condition.</summary>
    public static async Task<Dictionary<string, long>> CountByVinAsync(ClickHouseTestDatabase db, string table, bool final = true, string? where = null)
    {
        var text = await db.Database.QueryTextAsync(
            $"SELECT vin, count() FROM {db.Database.Qualified(table)}{(final ? " FINAL" : "")}{(where is null ? "" : " WHERE " + where)} GROUP BY vin",
            CancellationToken.None);
        return ParsePairs(text);
    }

    /// <summary>How often each frame (by MD5 of its bytes, upper-case hex) is in <c>frames_raw</c>.</summary>
    public static async Task<Dictionary<string, long>> FrameDigestsAsync(ClickHouseTestDatabase db, bool final = true)
    {
        var text = await db.Database.QueryTextAsync(
            $"SELECT hex(MD5(frame_bytes)) AS digest, count() FROM {db.Database.Qualified("frames_raw")}{(final ? " FINAL" : "")} GROUP BY digest",
            CancellationToken.None);
        return ParsePairs(text);
    }

    /// <summary>Rows of <paramref name="table"/> with FINAL; -1 while the sink has not created it yet (or ClickHouse is down).</summary>
    public static async Task<long> CountOrMinusOneAsync(ClickHouseTestDatabase db, string table)
    {
        try
        {
            return await db.CountAsync(table);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return -1;
        }
    }

    /// <summary>
    /// Merges every part of <paramref name="tables"/> with OPTIMIZE ... FINAL until reading without FINAL gives what
    /// FINAL gives: copies with the same sorting key collapse on disk. OPTIMIZE silently does nothing while a background
    /// merge holds the parts, so it runs with optimize_throw_if_noop=1 and is repeated; copies that differ in their key
    /// would never collapse and end in a timeout.
    /// </summary>
    public static async Task OptimizeFinalAsync(ClickHouseTestDatabase db, params string[] tables)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var o = db.Options;
        var url = new Uri(new Uri(o.Endpoint!), $"/?optimize_throw_if_noop=1&user={Uri.EscapeDataString(o.User)}&password={Uri.EscapeDataString(o.Password)}");
        foreach (var table in tables)
        {
            string qualified = db.Database.Qualified(table);
            string lastAnswer = "";
            try
            {
                await Eventually.TrueAsync(async () =>
                {
                    using var response = await http.PostAsync(url, new StringContent($"OPTIMIZE TABLE {qualified} FINAL"));
                    lastAnswer = await response.Content.ReadAsStringAsync();
                    return response.IsSuccessStatusCode
                        && await db.ScalarAsync($"SELECT count() FROM {qualified}") == await db.ScalarAsync($"SELECT count() FROM {qualified} FINAL");
                }, $"{table} merged down to one copy per key", TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException timeout)
            {
                throw new TimeoutException($"{timeout.Message} (last OPTIMIZE answer: '{lastAnswer.Trim()}')", timeout);
            }
        }
    }

    /// <summary>Rows sharing a (node, spool_offset[, item_index]) identity in <paramref name="table"/> read with FINAL: must be 0.</summary>
    public static async Task<long> DuplicateIdentitiesAsync(ClickHouseTestDatabase db, string table, bool withItemIndex = false)
    {
        string key = withItemIndex ? "node, spool_offset, item_index" : "node, spool_offset";
        return await db.ScalarAsync(
            $"SELECT count() FROM (SELECT {key}, count() AS n FROM {db.Database.Qualified(table)} FINAL GROUP BY {key} HAVING n > 1)");
    }

    /// <summary>Polls <c>frames_raw</c> (FINAL) until every acknowledged frame is there; returns the copies per frame digest.</summary>
    public static async Task<Dictionary<string, long>> WaitForAcknowledgedAsync(ClickHouseTestDatabase db, IReadOnlyList<SentFrame> sent, TimeSpan within)
    {
        var acknowledged = sent.Where(f => f.Acknowledged).Select(f => f.Digest).ToHashSet();
        Dictionary<string, long> stored = [];
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                stored = await FrameDigestsAsync(db);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return false; // the sink has not created the table yet
            }
            return acknowledged.All(stored.ContainsKey);
        }, $"all {acknowledged.Count} acknowledged frames in frames_raw (missing {acknowledged.Count(d => !stored.ContainsKey(d))})", within);
        return stored;
    }

    /// <summary>
    /// Every acknowledged frame is stored exactly once, nothing is stored twice (each sent frame is unique), and
    /// nothing is stored that no terminal sent. Unacknowledged frames may or may not be there.
    /// </summary>
    public static void AssertExactlyOnce(IReadOnlyList<SentFrame> sent, IReadOnlyDictionary<string, long> stored, string how)
    {
        var bySent = sent.ToDictionary(f => f.Digest);
        Assert.Equal(sent.Count, bySent.Count); // the fleet really sent unique frames
        var missing = sent.Where(f => f.Acknowledged && stored.GetValueOrDefault(f.Digest) == 0).ToList();
        Assert.True(missing.Count == 0, $"{how}: {missing.Count} acknowledged frames missing, e.g. {Describe(missing)}");
        var repeated = stored.Where(kv => kv.Value > 1).ToList();
        Assert.True(repeated.Count == 0,
            $"{how}: {repeated.Count} frames stored more than once, e.g. {Describe(repeated.Take(3).Select(kv => bySent.GetValueOrDefault(kv.Key)).OfType<SentFrame>().ToList())} ({string.Join(", ", repeated.Take(3).Select(kv => kv.Value))} copies)");
        var foreign = stored.Keys.Where(d => !bySent.ContainsKey(d)).ToList();
        Assert.True(foreign.Count == 0, $"{how}: {foreign.Count} stored frames that no terminal sent");
    }

    /// <summary>For a failure message: every stored copy (node, spool offset, receive time) of the frames stored more than once.</summary>
    public static async Task<string> DescribeRepeatsAsync(ClickHouseTestDatabase db, IReadOnlyDictionary<string, long> stored)
    {
        var repeated = stored.Where(kv => kv.Value > 1).Select(kv => kv.Key).Take(5).ToList();
        if (repeated.Count == 0)
        {
            return "";
        }
        return await db.Database.QueryTextAsync(
            $"SELECT hex(MD5(frame_bytes)) AS digest, node, spool_offset, received_at, vin, command FROM {db.Database.Qualified("frames_raw")} FINAL " +
            $"WHERE digest IN ({string.Join(",", repeated.Select(d => $"'{d}'"))}) ORDER BY digest, spool_offset", CancellationToken.None);
    }

    private static string Describe(IReadOnlyList<SentFrame> frames) =>
        string.Join("; ", frames.Take(3).Select(f => $"{f.Vin} #{f.Sequence} 0x{f.Command:X2} {(f.Acknowledged ? "acked" : "not acked")}"));

    private static Dictionary<string, long> ParsePairs(string text)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t');
            result[parts[0]] = long.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        return result;
    }
}
