using BenchmarkDotNet.Attributes;
using Ingest.Spool;
using Microsoft.Win32.SafeHandles;

namespace Ingest.Benchmarks.Spool;

/// <summary>
/// Read-back by one consumer: <see cref="Records"/> durable 300-byte records (written once in global set-up),
/// read from the start in batches of <see cref="BatchRecords"/> (256 is the forwarder's default BatchFrames), every
/// payload touched, each batch disposed. One operation is one record. The data is in the page cache after set-up,
/// so this measures the consumer's CPU and copy cost, not the disk.
/// <para>Baseline: reading the segment file itself sequentially, <c>BatchRecords × 308</c> bytes per read, into one
/// reused buffer (the same batching, with no framing or checksum).</para>
/// </summary>
[MemoryDiagnoser]
public class SpoolReadBenchmarks
{
    public const int Records = 102_400;

    private string? _directory;
    private FileSpool? _spool;
    private ISpoolConsumer? _consumer;
    private string[] _segmentFiles = [];
    private byte[] _readBuffer = [];
    private byte _touched;

    [Params(256, 4096)]
    public int BatchRecords { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = SpoolBench.NewDirectory("read");
        _spool = SpoolBench.OpenSpool(_directory);
        SpoolBench.AppendConcurrentlyAsync(_spool, SpoolBench.Payload(), appenders: 256, Records).GetAwaiter().GetResult();
        _consumer = _spool.OpenConsumer("bench");
        _segmentFiles = Directory.GetFiles(_directory, "*.seg").Order(StringComparer.Ordinal).ToArray();
        _readBuffer = new byte[BatchRecords * SpoolBench.RecordBytes];
        long before = ProcessReadBytes();
        if (ReadAll().GetAwaiter().GetResult() != (long)Records * SpoolBench.PayloadBytes)
        {
            throw new InvalidOperationException("The consumer did not read back every record.");
        }
        long consumerRead = ProcessReadBytes() - before;
        long fileBytes = _segmentFiles.Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"// SpoolRead, batches of {BatchRecords}: one pass read {consumerRead:N0} bytes from files for "
            + $"{fileBytes:N0} bytes of segment ({(double)consumerRead / fileBytes:F1}x)");
    }

    /// <summary>Bytes this process has read through read(2)/pread(2) so far (Linux /proc/self/io "rchar"), or 0.</summary>
    private static long ProcessReadBytes()
    {
        const string path = "/proc/self/io";
        if (!File.Exists(path))
        {
            return 0;
        }
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("rchar:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _consumer!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _spool!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SpoolBench.DeleteDirectory(_directory);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public long ReadFileChunks()
    {
        long total = 0;
        foreach (var path in _segmentFiles)
        {
            using SafeFileHandle handle = File.OpenHandle(path);
            long position = 0;
            int read;
            while ((read = RandomAccess.Read(handle, _readBuffer, position)) > 0)
            {
                position += read;
            }
            total += position;
        }
        return total;
    }

    /// <summary>ISpoolConsumer.ReadAsync from the start (Rewind) to the durable end.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public async Task<long> ReadAll()
    {
        _consumer!.Rewind();
        long bytes = 0;
        byte touched = 0;
        while (true)
        {
            using var batch = await _consumer.ReadAsync(BatchRecords, TimeSpan.Zero, CancellationToken.None);
            if (batch.Count == 0)
            {
                _touched = touched;
                return bytes;
            }
            var records = batch.Records;
            for (int i = 0; i < records.Count; i++)
            {
                var payload = records[i].Payload.Span;
                bytes += payload.Length;
                touched ^= payload[^1];
            }
        }
    }
}
