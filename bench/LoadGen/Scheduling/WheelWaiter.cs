using System.Threading.Tasks.Sources;

namespace LoadGen.Scheduling;

/// <summary>
/// One terminal's reusable wake-up: the terminal arms it and awaits; the timing wheel fires it when the due tick
/// comes, or anyone pokes it early (a reply arrived, the run is stopping). No allocation per wait. The armed flag
/// and a generation number share one word, so a wheel entry left over from an earlier wait can never fire a later
/// one.
/// </summary>
public sealed class WheelWaiter : IValueTaskSource<bool>
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

    /// <summary>generation &lt;&lt; 1 | armed.</summary>
    private long _state;

    /// <summary>Starts a new wait; the value completes true when the due time came, false when interrupted.</summary>
    public ValueTask<bool> Arm(out long generation)
    {
        _core.Reset();
        generation = (Volatile.Read(ref _state) >> 1) + 1;
        Volatile.Write(ref _state, generation << 1 | 1);
        return new ValueTask<bool>(this, _core.Version);
    }

    /// <summary>
    /// Completes the wait armed as <paramref name="generation"/>, if it is still pending. <paramref name="runInline"/>
    /// runs the waiting terminal's continuation on the calling thread (the wheel's loop: one thread sends for every
    /// terminal due in a tick, with no hand-off to the thread pool per frame); otherwise it is queued.
    /// </summary>
    public bool TryFire(long generation, bool dueTimeReached, bool runInline = false)
    {
        long armed = generation << 1 | 1;
        if (Interlocked.CompareExchange(ref _state, generation << 1, armed) != armed)
        {
            return false;
        }
        // Only the caller that won the exchange above completes this generation, so the flag is ours to set.
        _core.RunContinuationsAsynchronously = !runInline;
        _core.SetResult(dueTimeReached);
        return true;
    }

    /// <summary>Completes the current wait early (with false), whatever its generation. Does nothing when not armed.</summary>
    public void Poke()
    {
        long state = Volatile.Read(ref _state);
        if ((state & 1) == 1)
        {
            TryFire(state >> 1, dueTimeReached: false);
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
