using Ingest.Records;
using Ingest.Sessions;
using Ingest.Spool;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Sessions;

/// <summary>
/// A pooled frame buffer goes back to the pool once, and only after the spool is done reading it. The spool double
/// fails one append of a two-frame batch and copies the other late (as the real spool does when an append waits for
/// room in the next group commit); the pool poisons every buffer handed back, so a buffer returned too early shows
/// up as wrong bytes in the late copy, which is what would otherwise be another connection's frame in the spool.
/// </summary>
public class BufferOwnershipTests
{
    private const string Vin = "LZYTUGEW5G1059545";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(FailureKind.FaultedTask)]
    [InlineData(FailureKind.ThrowsSynchronously)]
    public async Task A_failed_append_never_returns_a_buffer_that_another_append_of_its_batch_still_copies(FailureKind failure)
    {
        var spool = new FailingLateCopySpool(failure);
        var pool = new PoisoningPool();
        await using var server = await TestServer.StartAsync(services: s =>
        {
            s.AddSingleton<IFrameSpool>(spool);
            s.AddSingleton<FrameBufferPool>(pool);
        });
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());

        await terminal.SendAsync([.. Frames.Login(Vin), .. Frames.Realtime(Vin)]); // one read, one batch of two
        await spool.LateAppendStarted.Task.WaitAsync(Wait);
        int expectedEarlyReturns = failure == FailureKind.ThrowsSynchronously ? 1 : 0; // an append that never began
        // The session has failed its batch by now, or does within a moment; a premature return would come with it.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (pool.Returned <= expectedEarlyReturns && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }
        Assert.Equal(expectedEarlyReturns, pool.Returned); // nothing the late append still reads went back to the pool

        spool.ReleaseLateCopy.SetResult();

        var copied = await spool.Copied.Task.WaitAsync(Wait);
        Assert.Equal(spool.PayloadAtAppend, copied);
        Assert.True(FrameEnvelope.TryRead(copied, out var envelope));
        Assert.Equal(spool.LateFrame, envelope.Frame.ToArray());
        await Eventually.TrueAsync(() => pool.Returned == 2, "both buffers returned once the late copy is done", Wait);
        Assert.True(await terminal.WaitForCloseAsync(Wait)); // the failed append ends the session, unacknowledged
    }

    public enum FailureKind
    {
        /// <summary>The login's append fails (a faulted task) while the realtime frame's append copies late.</summary>
        FaultedTask,
        /// <summary>The login's append copies late; the realtime frame's AppendAsync throws before it starts.</summary>
        ThrowsSynchronously,
    }

    /// <summary>Hands back poisoned buffers (and keeps them out of the shared pool), counting each return.</summary>
    private sealed class PoisoningPool : FrameBufferPool
    {
        private int _returned;

        public int Returned => Volatile.Read(ref _returned);

        public override byte[] Rent(int minimumLength) => new byte[minimumLength];

        public override void Return(byte[] buffer, bool clearArray = false)
        {
            buffer.AsSpan().Fill(0xEE);
            Interlocked.Increment(ref _returned);
        }
    }

    /// <summary>Fails one append of the first batch and copies the other only when the test says so.</summary>
    private sealed class FailingLateCopySpool(FailureKind failure) : IFrameSpool
    {
        private readonly InMemorySpool _inner = new();
        private int _calls;

        public TaskCompletionSource LateAppendStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ReleaseLateCopy { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<byte[]> Copied { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public byte[]? PayloadAtAppend { get; private set; }

        public byte[] LateFrame => failure == FailureKind.FaultedTask ? Frames.Realtime(Vin) : Frames.Login(Vin);

        public ValueTask<SpoolAppendResult> AppendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            int call = Interlocked.Increment(ref _calls);
            bool late = failure == FailureKind.FaultedTask ? call == 2 : call == 1;
            bool fails = failure == FailureKind.FaultedTask ? call == 1 : call == 2;
            if (late)
            {
                PayloadAtAppend = payload.ToArray();
                LateAppendStarted.SetResult();
                return CopyLateAsync(payload);
            }
            if (fails)
            {
                var error = new IOException("injected: the disk went away");
                return failure == FailureKind.FaultedTask ? ValueTask.FromException<SpoolAppendResult>(error) : throw error;
            }
            return _inner.AppendAsync(payload, cancellationToken);
        }

        private async ValueTask<SpoolAppendResult> CopyLateAsync(ReadOnlyMemory<byte> payload)
        {
            await ReleaseLateCopy.Task;
            var copy = payload.ToArray();
            Copied.SetResult(copy);
            return await _inner.AppendAsync(copy, CancellationToken.None);
        }

        public ISpoolConsumer OpenConsumer(string name) => _inner.OpenConsumer(name);

        public SpoolConsumerRemoval RemoveConsumer(string name) => _inner.RemoveConsumer(name);

        public SpoolStats GetStats() => _inner.GetStats();

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
