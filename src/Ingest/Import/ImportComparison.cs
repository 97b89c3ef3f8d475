using System.Globalization;
using Ingest.Sinks.ClickHouse;

namespace Ingest.Import;

/// <summary>One vehicle and day: distinct data-frame times the live tables hold, and the import holds.</summary>
public sealed record VehicleDayCount(string Vin, string Day, long Live, long Imported)
{
    public bool Agrees => Live == Imported;
}

/// <summary>
/// Do two platforms agree? Compares an import of the other platform's export (in its own, scratch database) with what
/// this node stored live, per vehicle and day: the number of distinct device times of realtime and reissue frames
/// (commands 0x02 and 0x03). Device times, not receive times or commands, because a relayed frame reaches the other
/// platform later and, after a link outage, as a reissue of the same data; duplicates on either side do not count.
/// Only vehicles present in the import are compared, over the device-time span the import covers.
/// </summary>
public static class ImportComparison
{
    public static async Task<List<VehicleDayCount>> RunAsync(ClickHouseDatabase imported, string liveDatabase, CancellationToken cancellationToken)
    {
        var check = imported.Qualified("frames_raw");
        var live = SqlLiteral.Identifier(liveDatabase) + "." + SqlLiteral.Identifier("frames_raw");
        const string DataFrames = "command IN (2, 3) AND isNotNull(device_time)";
        // The import may sit beside live rows (the same database) or alone (a scratch one): its node tells them apart.
        var importedRows = $"node = {SqlLiteral.Quote(FrameImporter.NodeName)}";
        var span = (await imported.QueryTextAsync(
            $"SELECT toUnixTimestamp(min(assumeNotNull(device_time))), toUnixTimestamp(max(assumeNotNull(device_time))), count() FROM {check} FINAL WHERE {importedRows} AND {DataFrames}",
            cancellationToken).ConfigureAwait(false)).Trim().Split('\t');
        if (span.Length < 3 || span[2] == "0")
        {
            return [];
        }
        var from = DateTimeOffset.FromUnixTimeSeconds(long.Parse(span[0], CultureInfo.InvariantCulture));
        var to = DateTimeOffset.FromUnixTimeSeconds(long.Parse(span[1], CultureInfo.InvariantCulture) + 1);
        // received_at bounds the live side's partitions: a frame is received after its device time (a day of clock skew allowed).
        var sql =
            "SELECT vin, toString(day), sum(live), sum(imported) FROM (" +
            $"SELECT vin, toDate(assumeNotNull(device_time)) AS day, uniqExact(device_time) AS live, toUInt64(0) AS imported FROM {live} FINAL " +
            $"WHERE node != {SqlLiteral.Quote(FrameImporter.NodeName)} AND {DataFrames} AND received_at >= {SqlLiteral.DateTime(from.AddDays(-1))} " +
            $"AND device_time >= {SqlLiteral.DateTime(from)} AND device_time < {SqlLiteral.DateTime(to)} " +
            $"AND vin IN (SELECT DISTINCT vin FROM {check} WHERE {importedRows}) GROUP BY vin, day " +
            "UNION ALL " +
            $"SELECT vin, toDate(assumeNotNull(device_time)) AS day, toUInt64(0) AS live, uniqExact(device_time) AS imported FROM {check} FINAL " +
            $"WHERE {importedRows} AND {DataFrames} GROUP BY vin, day" +
            ") GROUP BY vin, day ORDER BY vin, day";
        var text = await imported.QueryTextAsync(sql, cancellationToken).ConfigureAwait(false);
        var rows = new List<VehicleDayCount>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            rows.Add(new VehicleDayCount(f[0], f[1], long.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture)));
        }
        return rows;
    }

    public static void WriteText(TextWriter output, IReadOnlyList<VehicleDayCount> rows, string liveDatabase, string importDatabase)
    {
        var differ = rows.Where(r => !r.Agrees).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"compare: {rows.Count} vehicle-days; {rows.Count - differ.Count} agree, {differ.Count} differ (distinct realtime/reissue device times, live '{liveDatabase}' vs imported '{importDatabase}')"));
        foreach (var row in differ)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Vin} {row.Day}: live {row.Live}, imported {row.Imported} ({row.Live - row.Imported:+#;-#;0})"));
        }
    }
}
