using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Ingest.Spool;

/// <summary>
/// Dedicated threads, below the sessions' priority, on which consumers of the spool do their CPU work: a consumer's
/// read hands its caller a batch on one of these threads, so what the caller does next until its next real wait (the
/// ClickHouse and Redis projections, relay framing) runs here, not on the thread pool the terminal sessions need to
/// acknowledge. Storage work is thus bounded to <see cref="SpoolOptions.ConsumerThreads"/> threads whatever its
/// backlog, and on Linux those threads run at nice <see cref="SpoolOptions.ConsumerThreadNice"/>, so when the cores
/// are short the kernel gives the acknowledgement path the time first and storage the rest (the spool absorbs the
/// lag; nothing is lost).
/// <para>
/// What continues after a consumer's own I/O (an insert's response, a Redis reply) returns to the thread pool: only the
/// stretch from a read to the next wait moves. A consumer must not block one of these threads on another consumer's
/// progress (sync-over-async); none does.
/// </para>
/// </summary>
internal sealed class ConsumerThreads : IDisposable
{
    [ThreadStatic]
    private static ConsumerThreads? t_owner;

    private readonly BlockingCollection<(Action<object?> Work, object? State)> _queue = new(new ConcurrentQueue<(Action<object?>, object?)>());
    private readonly Thread[] _threads;
    private readonly int _nice;
    private readonly ILogger _logger;
    private int _niceFailureLogged;

    public ConsumerThreads(int count, int nice, ILogger logger)
    {
        _nice = nice;
        _logger = logger;
        _threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"spool-consumer-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Continues the awaiting method on one of these threads (at once when already on one, or after disposal).</summary>
    public ConsumerThreadSwitch SwitchTo() => new(this);

    internal bool IsCurrentOrStopped => t_owner == this || _queue.IsAddingCompleted;

    internal void Post(Action<object?> work, object? state)
    {
        try
        {
            _queue.Add((work, state));
        }
        catch (InvalidOperationException)
        {
            ThreadPool.UnsafeQueueUserWorkItem(work, state, preferLocal: false); // stopped meanwhile: never strand a reader
        }
    }

    private void Run()
    {
        t_owner = this;
        LowerPriority();
        foreach (var (work, state) in _queue.GetConsumingEnumerable())
        {
            work(state);
        }
    }

    /// <summary>On Linux a thread has its own nice value (setpriority on its thread id); elsewhere nothing changes.</summary>
    private void LowerPriority()
    {
        if (_nice == 0 || !OperatingSystem.IsLinux())
        {
            return;
        }

        if (Native.SetPriority(0 /* PRIO_PROCESS: with a thread id, that thread */, Native.GetTid(), _nice) != 0
            && Interlocked.Exchange(ref _niceFailureLogged, 1) == 0)
        {
            SpoolLog.ConsumerNiceFailed(_logger, _nice, Marshal.GetLastPInvokeError());
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var thread in _threads)
        {
            if (thread != Thread.CurrentThread)
            {
                thread.Join();
            }
        }
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
        public static extern int SetPriority(int which, int who, int priority);

        [DllImport("libc", EntryPoint = "gettid")]
        public static extern int GetTid();
    }
}

/// <summary>
/// Awaiting it moves the caller onto the spool's consumer threads (see <see cref="ConsumerThreads"/>); the default
/// value, for a spool without them, completes at once.
/// </summary>
public readonly struct ConsumerThreadSwitch : ICriticalNotifyCompletion
{
    private readonly ConsumerThreads? _threads;

    internal ConsumerThreadSwitch(ConsumerThreads threads) => _threads = threads;

    public ConsumerThreadSwitch GetAwaiter() => this;

    public bool IsCompleted => _threads is null || _threads.IsCurrentOrStopped;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => Post(continuation);

    public void UnsafeOnCompleted(Action continuation) => Post(continuation);

    private void Post(Action continuation)
    {
        if (_threads is null)
        {
            continuation();
            return;
        }

        _threads.Post(static c => ((Action)c!)(), continuation);
    }
}
