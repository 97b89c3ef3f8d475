using System.Buffers;
using BenchmarkDotNet.Attributes;
using Ingest.Spool;

namespace Ingest.Benchmarks.Spool;

/// <summary>
/// The session's append path into the real spool: <see cref="Appenders"/> concurrent sessions, each appending the
/// frames of one read (<see cref="FramesPerRead"/> frames of 280 bytes behind a 20-byte envelope header, the frame
/// bytes in a two-segment pipe buffer) and waiting for all of them before the next read. One operation is one frame.
/// <para>
/// <see cref="CopyThenAppend"/> is the path before the batch append: each frame copied into a rented buffer, appended
/// on its own (copied again into the group), each append awaited. <see cref="BatchAppend"/> copies once from the
/// pipe's segments into the group and completes the read with one continuation. Wall time is bound by the fsync
/// spacing (FlushInterval 2 ms), so Allocated is the figure to compare; CPU per frame is measured end to end by
/// bench/scenarios.
/// </para>
/// </summary>
[MemoryDiagnoser]
public class SessionAppendBenchmarks
{
    private const int TotalReads = 2_048;
    private const int FrameBytes = 280;
    private const int EnvelopeBytes = 20;

    private ReadOnlySequence<byte> _frame;
    private string? _directory;
    private FileSpool? _spool;

    [Params(64)]
    public int Appenders { get; set; }

    [Params(1, 4)]
    public int FramesPerRead { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var bytes = SpoolBench.Payload().AsMemory(0, FrameBytes);
        var first = new Segment(bytes[..100]);
        var last = first.Append(bytes[100..]);
        _frame = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    [IterationSetup]
    public void OpenSpool()
    {
        _directory = SpoolBench.NewDirectory("session-append");
        _spool = SpoolBench.OpenSpool(_directory);
    }

    [IterationCleanup]
    public void CloseSpool()
    {
        _spool!.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SpoolBench.DeleteDirectory(_directory);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalReads)]
    public Task CopyThenAppend() => RunSessions(CopyThenAppendLoopAsync);

    [Benchmark(OperationsPerInvoke = TotalReads)]
    public Task BatchAppend() => RunSessions(BatchAppendLoopAsync);

    private Task RunSessions(Func<int, Task> loop) =>
        Task.WhenAll(Enumerable.Range(0, Appenders).Select(_ => loop(TotalReads / Appenders / FramesPerRead)));

    private async Task CopyThenAppendLoopAsync(int reads)
    {
        var buffers = new byte[FramesPerRead][];
        var appends = new ValueTask<SpoolAppendResult>[FramesPerRead];
        for (int read = 0; read < reads; read++)
        {
            for (int i = 0; i < FramesPerRead; i++)
            {
                var buffer = buffers[i] = ArrayPool<byte>.Shared.Rent(EnvelopeBytes + FrameBytes);
                buffer.AsSpan(0, EnvelopeBytes).Fill(1);
                _frame.CopyTo(buffer.AsSpan(EnvelopeBytes));
                appends[i] = _spool!.AppendAsync(buffer.AsMemory(0, EnvelopeBytes + FrameBytes), CancellationToken.None);
            }

            for (int i = 0; i < FramesPerRead; i++)
            {
                Check((await appends[i]).Status);
                ArrayPool<byte>.Shared.Return(buffers[i]);
            }
        }
    }

    private async Task BatchAppendLoopAsync(int reads)
    {
        var batch = new SpoolAppendBatch();
        for (int read = 0; read < reads; read++)
        {
            for (int i = 0; i < FramesPerRead; i++)
            {
                batch.Add(EnvelopeBytes, _frame).Fill(1);
            }

            await _spool!.AppendAsync(batch);
            for (int i = 0; i < FramesPerRead; i++)
            {
                Check(batch.Result(i).Status);
            }

            batch.Clear();
        }
    }

    private static void Check(SpoolAppendStatus status)
    {
        if (status != SpoolAppendStatus.Committed)
        {
            throw new InvalidOperationException($"Append refused: {status}.");
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
