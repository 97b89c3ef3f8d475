using Ingest.Spool;

namespace Ingest.Tests.Spool;

/// <summary>A spool folder under the temp directory, deleted at the end of the test.</summary>
internal sealed class TempSpoolDirectory : IDisposable
{
    public TempSpoolDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "spool-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>
    /// Small segments and batches so tests roll segments and fill budgets with little data. No retention margin:
    /// a consumed segment is deleted at once unless a test sets one.
    /// </summary>
    public SpoolOptions Options(
        long segmentBytes = 16 * 1024,
        long diskBudgetBytes = 1024 * 1024,
        int maxRecordBytes = 2048,
        int maxBatchBytes = 8 * 1024) => new()
    {
        Directory = Path,
        SegmentBytes = segmentBytes,
        DiskBudgetBytes = diskBudgetBytes,
        MaxRecordBytes = maxRecordBytes,
        MaxBatchBytes = maxBatchBytes,
        FlushInterval = TimeSpan.FromMilliseconds(1),
        RetainAfterConsumed = TimeSpan.Zero,
    };

    public string[] SegmentFiles() =>
        Directory.GetFiles(Path, "*.seg").OrderBy(f => f, StringComparer.Ordinal).ToArray();

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>A record read back and copied out of the pooled batch.</summary>
internal readonly record struct ReadRecord(long Offset, long NextOffset, byte[] Payload);

internal static class SpoolTestSupport
{
    /// <summary>A payload whose bytes depend on <paramref name="seed"/>, <paramref name="length"/> long.</summary>
    public static byte[] Payload(int seed, int length = 100)
    {
        var payload = new byte[length];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)((seed * 131) + (i * 17) + (seed >> 8));
        }

        return payload;
    }

    public static async Task<SpoolAppendResult> AppendCommittedAsync(this IFrameSpool spool, byte[] payload)
    {
        var result = await spool.AppendAsync(payload, CancellationToken.None);
        Assert.Equal(SpoolAppendStatus.Committed, result.Status);
        return result;
    }

    /// <summary>Reads until the consumer has nothing more, copying each payload.</summary>
    public static async Task<List<ReadRecord>> ReadAllAsync(this ISpoolConsumer consumer, int maxRecords = 1000)
    {
        var records = new List<ReadRecord>();
        while (true)
        {
            using var batch = await consumer.ReadAsync(maxRecords, TimeSpan.Zero, CancellationToken.None);
            if (batch.Count == 0)
            {
                return records;
            }

            records.AddRange(batch.Records.Select(r => new ReadRecord(r.Offset, r.NextOffset, r.Payload.ToArray())));
        }
    }

    /// <summary>Every record follows the previous one without a gap.</summary>
    public static void AssertContiguous(IReadOnlyList<ReadRecord> records)
    {
        for (var i = 1; i < records.Count; i++)
        {
            Assert.Equal(records[i - 1].NextOffset, records[i].Offset);
        }
    }
}
