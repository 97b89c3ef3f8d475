namespace Ingest.Sessions;

/// <summary>
/// One writer at a time on a connection's output: the session loop while it writes and flushes a read's
/// acknowledgements, a downlink command while it writes and flushes its frame. A PipeWriter is not safe for two
/// writers; without this, a command could land inside a half-written acknowledgement. Uncontended,
/// <see cref="TryEnter"/> takes it without an await or an allocation.
/// </summary>
public sealed class OutputLock
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _waiting;

    /// <summary>Writers queued behind the current one (for diagnostics and tests).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public bool TryEnter() => _gate.Wait(0);

    public async Task EnterAsync(CancellationToken cancellationToken)
    {
        if (_gate.Wait(0))
        {
            return;
        }
        Interlocked.Increment(ref _waiting);
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Exit() => _gate.Release();
}
