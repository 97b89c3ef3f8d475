using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;

namespace ChInsertBaseline;

/// <summary>One table's share of a batch: its columns and a RowBinary body of the rows one batch holds.</summary>
public sealed record TableBatch(string Table, IReadOnlyList<string> Columns, long RowsPerBatch, byte[] Body);

public sealed record BaselineResult(
    string Source,
    string Target,
    int BatchRows,
    double RecordsPerBatch,
    IReadOnlyDictionary<string, long> RowsPerBatchByTable,
    IReadOnlyDictionary<string, double> RowsPerRecordByTable,
    long Batches,
    long Inserts,
    long Rows,
    double Seconds,
    double RowsPerSecond,
    double RecordsPerSecond,
    double BytesPerSecond,
    double BatchMsP50,
    double BatchMsP99,
    string? Error)
{
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    });
}

/// <summary>
/// The insert loop. Rows per record come from the source database (frames_raw holds one row per spool record), so
/// a batch of <c>BatchRows</c> rows carries the same number of spool records as one of the server's flushes; the
/// records/s it reaches is the database's limit for this row mix with this driver, one insert at a time.
/// </summary>
public static class InsertLoop
{
    public static async Task<BaselineResult> RunAsync(BaselineOptions options)
    {
        using var client = new ClickHouseClient(new ClickHouseClientSettings
        {
            Host = options.ClickHouse.Host,
            Port = (ushort)options.ClickHouse.Port,
            Protocol = options.ClickHouse.Scheme,
            Username = "default",
            UseCompression = false,
            Timeout = TimeSpan.FromSeconds(60),
            // ClickHouse 18.16 rejects the JSON type settings the driver sends by default.
            JsonReadMode = JsonReadMode.None,
            JsonWriteMode = JsonWriteMode.None,
        });

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in BaselineOptions.Tables)
        {
            counts[table] = long.Parse((await TextAsync(client, $"SELECT count() FROM {options.SourceDatabase}.{table}")).Trim(), CultureInfo.InvariantCulture);
        }
        long records = counts["frames_raw"];
        if (records == 0)
        {
            throw new ArgumentException($"{options.SourceDatabase}.frames_raw is empty: run a scenario first.");
        }
        var perRecord = counts.ToDictionary(kv => kv.Key, kv => (double)kv.Value / records);
        double recordsPerBatch = options.BatchRows / perRecord.Values.Sum();

        await client.ExecuteNonQueryAsync($"CREATE DATABASE IF NOT EXISTS {options.TargetDatabase}");
        var batches = new List<TableBatch>();
        foreach (var table in BaselineOptions.Tables)
        {
            long rows = (long)Math.Round(recordsPerBatch * perRecord[table]);
            if (rows == 0)
            {
                continue;
            }
            await client.ExecuteNonQueryAsync($"DROP TABLE IF EXISTS {options.TargetDatabase}.{table}");
            await client.ExecuteNonQueryAsync($"CREATE TABLE {options.TargetDatabase}.{table} AS {options.SourceDatabase}.{table}");
            var columns = (await TextAsync(client, $"DESCRIBE TABLE {options.SourceDatabase}.{table}"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]).ToList();
            var body = await BytesAsync(client, $"SELECT * FROM {options.SourceDatabase}.{table} LIMIT {Math.Min(rows, counts[table])} FORMAT RowBinary");
            // Fewer rows stored than a batch needs: repeat them whole (RowBinary rows simply follow each other).
            long available = Math.Min(rows, counts[table]);
            long copies = (rows + available - 1) / available;
            var repeated = new MemoryStream();
            for (long c = 0; c < copies; c++)
            {
                repeated.Write(body);
            }
            rows = available * copies;
            batches.Add(new TableBatch(table, columns, rows, repeated.ToArray()));
        }

        var batchMs = new List<double>();
        long inserts = 0, rowsInserted = 0, bytes = 0, batchCount = 0;
        string? error = null;
        var clock = Stopwatch.StartNew();
        try
        {
            while (clock.Elapsed < options.Duration)
            {
                long started = Stopwatch.GetTimestamp();
                foreach (var batch in batches)
                {
                    var stream = new MemoryStream(batch.Body, writable: false);
                    using var response = await client.InsertRawStreamAsync($"{options.TargetDatabase}.{batch.Table}", stream, "RowBinary",
                        batch.Columns, useCompression: false, null, CancellationToken.None);
                    inserts++;
                    rowsInserted += batch.RowsPerBatch;
                    bytes += batch.Body.Length;
                }
                batchCount++;
                batchMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or IOException or ClickHouseServerException)
        {
            error = ex.Message.Split('\n')[0];
        }
        double seconds = clock.Elapsed.TotalSeconds;
        if (!options.Keep)
        {
            await client.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS {options.TargetDatabase}");
        }
        batchMs.Sort();
        double Pct(double p) => batchMs.Count == 0 ? double.NaN : batchMs[Math.Clamp((int)Math.Ceiling(p / 100 * batchMs.Count) - 1, 0, batchMs.Count - 1)];
        return new BaselineResult(
            options.SourceDatabase,
            options.TargetDatabase,
            options.BatchRows,
            recordsPerBatch,
            batches.ToDictionary(b => b.Table, b => b.RowsPerBatch),
            perRecord,
            batchCount,
            inserts,
            rowsInserted,
            seconds,
            rowsInserted / seconds,
            batchCount * recordsPerBatch / seconds,
            bytes / seconds,
            Pct(50),
            Pct(99),
            error);
    }

    private static async Task<string> TextAsync(ClickHouseClient client, string sql)
    {
        using var result = await client.ExecuteRawResultAsync(sql + " FORMAT TabSeparated", null, CancellationToken.None);
        return await result.ReadAsStringAsync();
    }

    private static async Task<byte[]> BytesAsync(ClickHouseClient client, string sql)
    {
        using var result = await client.ExecuteRawResultAsync(sql, null, CancellationToken.None);
        return await result.ReadAsByteArrayAsync();
    }
}
