namespace Ingest.Spool;

/// <summary>
/// The end of the durable log (everything before it is fsynced) and the signal readers wait on. The writer publishes
/// after every commit; a reader takes <see cref="Advanced"/> first, then checks <see cref="Value"/>, then awaits, so it
/// cannot miss a commit and never polls.
/// </summary>
internal sealed class DurableEnd
{
    private long _value;
    private TaskCompletionSource _advanced = NewSignal();
    private volatile bool _closed;

    public DurableEnd(long value) => _value = value;

    public long Value => Volatile.Read(ref _value);

    /// <summary>Completes at the next publish, or at close.</summary>
    public Task Advanced => Volatile.Read(ref _advanced).Task;

    public bool IsClosed => _closed;

    public void Publish(long value)
    {
        Volatile.Write(ref _value, value);
        if (!_closed)
        {
            Interlocked.Exchange(ref _advanced, NewSignal()).TrySetResult();
        }
    }

    /// <summary>Wakes every waiting reader for good (the spool is closing).</summary>
    public void Close()
    {
        _closed = true;
        Volatile.Read(ref _advanced).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
