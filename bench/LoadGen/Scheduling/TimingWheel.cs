using System.Diagnostics;

namespace LoadGen.Scheduling;

/// <summary>
/// A hashed timing wheel: one loop wakes every terminal whose due time has come, so ten thousand connections
/// need no ten thousand timers. Resolution is one tick (default 10 ms); a slot holds the waits due in its tick
/// of every revolution, and a wait more than one revolution away stays in its slot until its round comes.
/// Times are <see cref="Stopwatch.GetTimestamp"/> values.
/// </summary>
public sealed class TimingWheel : IAsyncDisposable
{
    private readonly List<Entry>[] _slots;
    private readonly long _tickTimestamps;
    private readonly long _origin;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    /// <summary>Waits found due in one pass, fired after the lock is released; touched by the wheel's loop only.</summary>
    private readonly List<Entry> _due = [];
    private long _processedTick;
    private bool _disposed;

    public TimingWheel(TimeSpan tick, int slotCount = 4096)
    {
        if (tick < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(tick), "A tick is at least 1 ms.");
        }
        if (slotCount < 16 || (slotCount & (slotCount - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(slotCount), "The slot count is a power of two, at least 16.");
        }
        Tick = tick;
        _tickTimestamps = (long)(tick.TotalSeconds * Stopwatch.Frequency);
        _slots = new List<Entry>[slotCount];
        for (int i = 0; i < slotCount; i++)
        {
            _slots[i] = [];
        }
        _origin = Stopwatch.GetTimestamp();
        _loop = Task.Run(RunAsync);
    }

    public TimeSpan Tick { get; }

    public bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>Waits scheduled and not yet fired.</summary>
    public int Scheduled
    {
        get
        {
            lock (_gate)
            {
                return _slots.Sum(s => s.Count);
            }
        }
    }

    /// <summary>
    /// Arms <paramref name="waiter"/> to fire at <paramref name="dueTimestamp"/>. Completes true when the time came,
    /// false when poked or interrupted (the caller then looks at why), and false at once after disposal.
    /// </summary>
    public ValueTask<bool> DelayUntil(WheelWaiter waiter, long dueTimestamp)
    {
        var wait = waiter.Arm(out long generation);
        long dueTick = Math.Max(0, (dueTimestamp - _origin + _tickTimestamps - 1) / _tickTimestamps);
        lock (_gate)
        {
            if (_disposed)
            {
                waiter.TryFire(generation, false);
            }
            else if (dueTick <= _processedTick)
            {
                waiter.TryFire(generation, true);
            }
            else
            {
                _slots[dueTick & (_slots.Length - 1)].Add(new Entry(waiter, generation, dueTick));
            }
        }
        return wait;
    }

    /// <summary>Fires every pending wait with false (the run is stopping); the wheel keeps running for later waits.</summary>
    public void InterruptAll()
    {
        lock (_gate)
        {
            foreach (var slot in _slots)
            {
                foreach (var entry in slot)
                {
                    entry.Waiter.TryFire(entry.Generation, false);
                }
                slot.Clear();
            }
        }
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(Tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Advance(Stopwatch.GetTimestamp());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Fires everything due up to <paramref name="now"/>, catching up on ticks the timer skipped. The due waits run
    /// their terminals inline, one after another on this loop's thread, outside the lock (a terminal re-arms its
    /// waiter on this wheel before it yields).
    /// </summary>
    private void Advance(long now)
    {
        long target = (now - _origin) / _tickTimestamps;
        _due.Clear();
        lock (_gate)
        {
            // After a long stall, one pass over every slot covers every tick in between.
            long first = Math.Max(_processedTick + 1, target - _slots.Length + 1);
            for (long tick = first; tick <= target; tick++)
            {
                var slot = _slots[tick & (_slots.Length - 1)];
                int kept = 0;
                for (int i = 0; i < slot.Count; i++)
                {
                    var entry = slot[i];
                    if (entry.DueTick <= target)
                    {
                        _due.Add(entry);
                    }
                    else
                    {
                        slot[kept++] = entry;
                    }
                }
                slot.RemoveRange(kept, slot.Count - kept);
            }
            _processedTick = Math.Max(_processedTick, target);
        }
        foreach (var entry in _due)
        {
            entry.Waiter.TryFire(entry.Generation, dueTimeReached: true, runInline: true);
        }
        _due.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        InterruptAll();
        _stop.Dispose();
    }

    private readonly record struct Entry(WheelWaiter Waiter, long Generation, long DueTick);
}
