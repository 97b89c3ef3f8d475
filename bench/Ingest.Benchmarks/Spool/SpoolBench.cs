using System.Diagnostics.Metrics;
using Ingest.Spool;

namespace Ingest.Benchmarks.Spool;

/// <summary>Shared set-up for the spool benchmarks: temp folders and the record shape.</summary>
internal static class SpoolBench
{
    /// <summary>Payload of one append: roughly a small realtime frame plus the ingest envelope.</summary>
    public const int PayloadBytes = 300;

    /// <summary>On-disk bytes per record: the 8-byte record header (length, CRC-32C) plus the payload.</summary>
    public const int RecordBytes = PayloadBytes + 8;

    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(2);

    public static string NewDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "ingest-bench", $"{purpose}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static void DeleteDirectory(string? path)
    {
        if (path is not null && Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    public static byte[] Payload()
    {
        var payload = new byte[PayloadBytes];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(i * 31 + 7);
        }
        return payload;
    }

    public static FileSpool OpenSpool(string directory) =>
        FileSpool.Open(new SpoolOptions { Directory = directory, FlushInterval = FlushInterval });

    /// <summary>Appends <paramref name="total"/> records from <paramref name="appenders"/> concurrent loops, each awaiting its commit.</summary>
    public static async Task<long> AppendConcurrentlyAsync(IFrameSpool spool, ReadOnlyMemory<byte> payload, int appenders, int total)
    {
        var loops = new Task<long>[appenders];
        int each = total / appenders;
        for (int i = 0; i < loops.Length; i++)
        {
            loops[i] = AppendLoopAsync(spool, payload, each);
        }
        long last = 0;
        foreach (var loop in loops)
        {
            last = Math.Max(last, await loop);
        }
        return last;
    }

    private static async Task<long> AppendLoopAsync(IFrameSpool spool, ReadOnlyMemory<byte> payload, int count)
    {
        long offset = -1;
        for (int i = 0; i < count; i++)
        {
            var result = await spool.AppendAsync(payload, CancellationToken.None);
            if (result.Status != SpoolAppendStatus.Committed)
            {
                throw new InvalidOperationException($"Append refused: {result.Status}.");
            }
            offset = result.Offset;
        }
        return offset;
    }
}

/// <summary>
/// Listens to the spool's own meter ("Ingest.Spool") so a run can say how big the group commits really were and how
/// long write + fsync took; printed into the BenchmarkDotNet log.
/// </summary>
internal sealed class CommitStats : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _commits;
    private long _records;
    private double _seconds;

    public CommitStats()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Ingest.Spool"
                && instrument.Name is "ingest.spool.commit.records" or "ingest.spool.commit.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _records, value);
        });
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (_listener)
            {
                _seconds += value;
            }
        });
        _listener.Start();
    }

    public string Summary(string label)
    {
        long commits = Interlocked.Read(ref _commits);
        if (commits == 0)
        {
            return $"// {label}: no commits observed";
        }
        return $"// {label}: {commits} commits, {(double)Interlocked.Read(ref _records) / commits:F1} records/commit, "
            + $"{_seconds / commits * 1000:F2} ms write+fsync per commit";
    }

    public void Dispose() => _listener.Dispose();
}
