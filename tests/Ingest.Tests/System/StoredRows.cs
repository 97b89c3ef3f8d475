using System.Globalization;
using Ingest.Tests.Infrastructure;

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

    /// <summary>Merges every part of every partition, so that rows with the same key are collapsed on disk.</summary>
    public static async Task OptimizeFinalAsync(ClickHouseTestDatabase db, params string[] tables)
    {
        foreach (var table in tables)
        {
            await db.Database.ExecuteAsync($"OPTIMIZE TABLE {db.Database.Qualified(table)} FINAL", CancellationToken.None);
        }
    }

    /// <summary>Rows sharing a (node, spool_offset[, item_index]) identity in <paramref name="table"/> read with FINAL: must be 0.</summary>
    public static async Task<long> DuplicateIdentitiesAsync(ClickHouseTestDatabase db, string table, bool withItemIndex = false)
    {
        string key = withItemIndex ? "node, spool_offset, item_index" : "node, spool_offset";
        return await db.ScalarAsync(
            $"SELECT count() FROM (SELECT {key}, count() AS n FROM {db.Database.Qualified(table)} FINAL GROUP BY {key} HAVING n > 1)");
    }

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
