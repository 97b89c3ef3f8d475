using System.Collections.Concurrent;

namespace Ingest.Spool;

/// <summary>
/// Who waits for one group commit: the append batches holding records of it, and a task for single appends. The
/// writer thread never runs their continuations: it hands the finished group to the thread pool as one work item
/// (one per <see cref="WaitersPerWorkItem"/> waiters, at most one per core), which then completes its waiters inline,
/// one after another. A group of records from N connections thus costs one or a few thread hand-offs, not one per
/// record (a task with RunContinuationsAsynchronously queues each continuation on its own and may wake a pool thread
/// for each, which is where the kernel scheduling time went).
/// <para>
/// Why inline is safe here: a waiter's continuation is a session writing its replies, flushing (which only queues the
/// socket send) and reading on; it never waits for another waiter of the same group, so running them in sequence
/// cannot deadlock, and none of it runs on the writer thread, so a slow continuation delays the next acknowledgement
/// of the group by its own length but never the next fsync.
/// </para>
/// Instances are reused; a group is owned by its <see cref="PendingBatch"/> until handed to <see cref="Complete"/>.
/// </summary>
internal sealed class CommitGroup
{
    /// <summary>
    /// Waiters one work item completes before the group is split across more (at most one work item per core), so a
    /// commit for thousands of connections uses every core without waking a thread per connection.
    /// </summary>
    internal const int WaitersPerWorkItem = 256;

    private static readonly ConcurrentQueue<CommitGroup> s_free = new();

    private readonly List<Waiter> _waiters = [];
    private readonly List<Slice> _slices = [];
    private TaskCompletionSource? _task;
    private Exception? _error;
    private int _slicesLeft;

    public static CommitGroup Rent() => s_free.TryDequeue(out var group) ? group : new CommitGroup();

    /// <summary>Completes when the group is committed; for single appends. Under the writer's lock.</summary>
    public Task Task => (_task ??= new TaskCompletionSource(TaskCreationOptions.None)).Task;

    /// <summary>Records [<paramref name="first"/>, +<paramref name="count"/>) of <paramref name="batch"/> are in this group. Under the writer's lock.</summary>
    public void Add(SpoolAppendBatch batch, int first, int count)
    {
        batch.JoinedGroup();
        _waiters.Add(new Waiter(batch, first, count));
    }

    /// <summary>Called once by the writer: committed (<paramref name="error"/> null), refused or faulted.</summary>
    public void Complete(Exception? error)
    {
        _error = error;
        int slices = Math.Clamp((_waiters.Count + WaitersPerWorkItem - 1) / WaitersPerWorkItem, 1, Environment.ProcessorCount);
        while (_slices.Count < slices)
        {
            _slices.Add(new Slice(this));
        }

        _slicesLeft = slices;
        int each = (_waiters.Count + slices - 1) / slices;
        for (int i = 0; i < slices; i++)
        {
            _slices[i].Start = i * each;
            _slices[i].End = Math.Min(_waiters.Count, (i + 1) * each);
            ThreadPool.UnsafeQueueUserWorkItem(_slices[i], preferLocal: false);
        }
    }

    private void Run(int start, int end)
    {
        var error = _error;
        for (int i = start; i < end; i++)
        {
            var waiter = _waiters[i];
            waiter.Batch.GroupDone(waiter.First, waiter.Count, error);
        }

        if (Interlocked.Decrement(ref _slicesLeft) != 0)
        {
            return;
        }

        if (_task is { } task)
        {
            if (error is null)
            {
                task.TrySetResult();
            }
            else
            {
                task.TrySetException(error);
            }
        }

        _waiters.Clear();
        _task = null;
        _error = null;
        s_free.Enqueue(this);
    }

    private readonly record struct Waiter(SpoolAppendBatch Batch, int First, int Count);

    /// <summary>One work item's share of the waiters.</summary>
    private sealed class Slice(CommitGroup group) : IThreadPoolWorkItem
    {
        public int Start;
        public int End;

        void IThreadPoolWorkItem.Execute() => group.Run(Start, End);
    }
}
