using System.Collections.Concurrent;

namespace Ingest.Spool;

/// <summary>
/// Who waits for one group commit: the append batches holding records of it (one per connection and read), and a
/// task for single appends. The writer thread completes them all when the commit is done; each waiter's continuation
/// is queued to the thread pool (RunContinuationsAsynchronously), so no user code ever runs on the writer thread and
/// a slow session cannot delay the next fsync. A read of N frames costs one hand-off, not N.
/// <para>
/// Measured against the alternative of one work item that runs a group's continuations inline one after another
/// (fewer hand-offs still): on a loaded 2-core machine the sequential completion made the acknowledgement tail worse
/// (p99 701 ms against 279 ms, bench/RESULTS.md), because one preempted session delays every later one of its group,
/// while queued continuations spread over the pool's threads.
/// </para>
/// Instances are reused; a group is owned by its <see cref="PendingBatch"/> until handed to <see cref="Complete"/>.
/// </summary>
internal sealed class CommitGroup
{
    private static readonly ConcurrentQueue<CommitGroup> s_free = new();

    private readonly List<Waiter> _waiters = [];
    private TaskCompletionSource? _task;

    public static CommitGroup Rent() => s_free.TryDequeue(out var group) ? group : new CommitGroup();

    /// <summary>Completes when the group is committed; for single appends. Under the writer's lock.</summary>
    public Task Task => (_task ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Records [<paramref name="first"/>, +<paramref name="count"/>) of <paramref name="batch"/> are in this group. Under the writer's lock.</summary>
    public void Add(SpoolAppendBatch batch, int first, int count)
    {
        batch.JoinedGroup();
        _waiters.Add(new Waiter(batch, first, count));
    }

    /// <summary>Called once by the writer: committed (<paramref name="error"/> null), refused or faulted. The group is reused after.</summary>
    public void Complete(Exception? error)
    {
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
        s_free.Enqueue(this);
    }

    private readonly record struct Waiter(SpoolAppendBatch Batch, int First, int Count);
}
