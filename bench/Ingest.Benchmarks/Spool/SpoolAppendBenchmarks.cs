using BenchmarkDotNet.Attributes;
using Ingest.Spool;

namespace Ingest.Benchmarks.Spool;

/// <summary>
/// Durable append throughput: many concurrent appenders (terminal sessions), each awaiting its group commit before
/// the next append, 300-byte payloads, FlushInterval 2 ms, on a fresh temp folder per iteration. One operation is one
/// append, so Mean/Median are per append (appends/s = 1e9 / ns) and Allocated is bytes per append.
/// <para>
/// Baseline: what the disk can do with the same batching: one thread writing <c>Appenders</c> records
/// (<c>Appenders × 308</c> bytes) per FileStream.Write and fsyncing each batch (Flush(flushToDisk: true)), as fast as it
/// can. <see cref="FsyncLoopSpaced"/> adds the spool's 2 ms spacing between commit starts, the best a spool with
/// that interval could do.
/// </para>
/// </summary>
[MemoryDiagnoser]
public class SpoolAppendBenchmarks
{
    /// <summary>Appends per iteration, divisible by every appender count.</summary>
    public const int TotalAppends = 10_240;

    private byte[] _payload = [];
    private byte[] _batch = [];
    private string? _directory;
    private FileSpool? _spool;
    private FileStream? _file;
    private CommitStats? _commitStats;

    [Params(64, 256)]
    public int Appenders { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = SpoolBench.Payload();
        _batch = new byte[Appenders * SpoolBench.RecordBytes];
        Random.Shared.NextBytes(_batch);
        _commitStats = new CommitStats();
    }

    /// <summary>Prints the real group-commit sizes of the <see cref="SpoolAppend"/> run (warm-up and pilot iterations included).</summary>
    [GlobalCleanup(Target = nameof(SpoolAppend))]
    public void ReportCommits()
    {
        Console.WriteLine(_commitStats!.Summary($"SpoolAppend, {Appenders} appenders"));
        _commitStats.Dispose();
    }

    [GlobalCleanup(Targets = [nameof(FsyncLoop), nameof(FsyncLoopSpaced)])]
    public void Cleanup() => _commitStats!.Dispose();

    [IterationSetup(Targets = [nameof(FsyncLoop), nameof(FsyncLoopSpaced)])]
    public void OpenFile()
    {
        _directory = SpoolBench.NewDirectory("fsync");
        _file = new FileStream(Path.Combine(_directory, "baseline.dat"), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
    }

    [IterationCleanup(Targets = [nameof(FsyncLoop), nameof(FsyncLoopSpaced)])]
    public void CloseFile()
    {
        _file!.Dispose();
        SpoolBench.DeleteDirectory(_directory);
    }

    [IterationSetup(Target = nameof(SpoolAppend))]
    public void OpenSpool()
    {
        _directory = SpoolBench.NewDirectory("append");
        _spool = SpoolBench.OpenSpool(_directory);
    }

    [IterationCleanup(Target = nameof(SpoolAppend))]
    public void CloseSpool()
    {
        _spool!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SpoolBench.DeleteDirectory(_directory);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalAppends)]
    public long FsyncLoop()
    {
        for (int written = 0; written < TotalAppends; written += Appenders)
        {
            _file!.Write(_batch);
            _file.Flush(flushToDisk: true);
        }
        return _file!.Position;
    }

    [Benchmark(OperationsPerInvoke = TotalAppends)]
    public long FsyncLoopSpaced()
    {
        long lastStart = 0;
        for (int written = 0; written < TotalAppends; written += Appenders)
        {
            var wait = SpoolBench.FlushInterval - System.Diagnostics.Stopwatch.GetElapsedTime(lastStart);
            if (lastStart != 0 && wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }
            lastStart = System.Diagnostics.Stopwatch.GetTimestamp();
            _file!.Write(_batch);
            _file.Flush(flushToDisk: true);
        }
        return _file!.Position;
    }

    /// <summary>FileSpool.AppendAsync from <see cref="Appenders"/> concurrent loops until <see cref="TotalAppends"/> are durable.</summary>
    [Benchmark(OperationsPerInvoke = TotalAppends)]
    public Task<long> SpoolAppend() => SpoolBench.AppendConcurrentlyAsync(_spool!, _payload, Appenders, TotalAppends);
}
