using System.Collections.Concurrent;

namespace Ingest.Spool;

/// <summary>
/// Who waits for one group commit: the append batches holding records of it, and a task for single appends. The
/// writer thread never runs their continuations: it hands the finished group to the thread pool as one work item,
/// which then completes every waiter inline, one after another. A group of records from N connections thus costs one
/// thread hand-off, not one per record (a task with RunContinuationsAsynchronously queues each continuation on its
/// own and wakes a pool thread per queue item, which is where the kernel scheduling time went).
/// <para>
/// Why inline is safe here: a waiter's continuation is a session writing its replies, flushing (which only queues the
/// socket send) and reading on; it never waits for another waiter of the same group, so running them in sequence
/// cannot deadlock, and none of it runs on the writer thread, so a slow continuation delays the next acknowledgement
/// of the group by its own length but never the next fsync.
/// </para>
/// Instances are reused; a group is owned by its <see cref="PendingBatch"/> until handed to <see cref="Complete"/>.
/// </summary>
internal sealed class CommitGroup : IThreadPoolWorkItem
{
    private static readonly ConcurrentQueue<CommitGroup> s_free = new();

    private readonly List<Waiter> _waiters = [];
    private TaskCompletionSource? _task;
    private Exception? _error;

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
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        var error = _error;
        foreach (var waiter in _waiters)
        {
            waiter.Batch.GroupDone(waiter.First, waiter.Count, error);
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
}
