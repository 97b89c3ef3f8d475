using System.Collections.Concurrent;
using Ingest.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Ingest.Tests.Spool;

/// <summary>
/// A clock the test moves: <see cref="Advance"/> sets the time and runs every timer that falls due, on the caller's
/// thread, so retention and orphan checks happen exactly when the test says (no sleeping).
/// </summary>
internal sealed class SteppedTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<SteppedTimer> _timers = [];
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SteppedTimer(this, callback, state);
        timer.Change(dueTime, period);
        lock (_lock)
        {
            _timers.Add(timer);
        }

        return timer;
    }

    /// <summary>Timers waiting for a due time (a delay in progress).</summary>
    public int DueTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.DueAt is not null);
            }
        }
    }

    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + by;
        }

        while (true)
        {
            SteppedTimer? next;
            lock (_lock)
            {
                next = _timers.Where(t => t.DueAt is { } due && due <= target).MinBy(t => t.DueAt);
                if (next is null)
                {
                    _now = target;
                    return;
                }

                _now = next.DueAt!.Value;
                next.Fired();
            }

            next.Run();
        }
    }

    private void Remove(SteppedTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class SteppedTimer(SteppedTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period;

        public DateTimeOffset? DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;
            DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetUtcNow() + dueTime;
            return true;
        }

        public void Fired() =>
            DueAt = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : DueAt + _period;

        public void Run() => callback(state);

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Which file operation of the spool writer <see cref="FailingFileIo"/> makes fail.</summary>
public enum FailingOperation
{
    Write,
    Flush,
    CreateSegment,
}

/// <summary>
/// The writer's file operations, failing the next N times like a full disk (ENOSPC, errno 28) or a process out of
/// descriptors (EMFILE, errno 24). A failing write first writes half of its bytes, as a short write before ENOSPC does.
/// </summary>
internal sealed class FailingFileIo : SpoolFileIo
{
    public const int Enospc = 28;
    public const int Emfile = 24;

    private int _remaining;
    private FailingOperation _operation;
    private int _errno;

    public int Failures { get; private set; }

    public int Remaining => Volatile.Read(ref _remaining);

    public void FailNext(int times, FailingOperation operation, int errno)
    {
        _operation = operation;
        _errno = errno;
        Volatile.Write(ref _remaining, times);
    }

    public override void Write(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long position)
    {
        if (ShouldFail(FailingOperation.Write))
        {
            var bytes = buffers.SelectMany(b => b.ToArray()).ToArray();
            RandomAccess.Write(handle, bytes.AsSpan(0, bytes.Length / 2), position); // a short write first
            throw Error();
        }

        base.Write(handle, buffers, position);
    }

    public override void Flush(SafeFileHandle handle)
    {
        if (ShouldFail(FailingOperation.Flush))
        {
            throw Error();
        }

        base.Flush(handle);
    }

    public override (SafeFileHandle Handle, SegmentInfo Segment) CreateSegment(string directory, long baseOffset)
    {
        if (ShouldFail(FailingOperation.CreateSegment))
        {
            throw Error();
        }

        return base.CreateSegment(directory, baseOffset);
    }

    private bool ShouldFail(FailingOperation operation)
    {
        if (operation != _operation || Volatile.Read(ref _remaining) <= 0)
        {
            return false;
        }

        Interlocked.Decrement(ref _remaining);
        Failures++;
        return true;
    }

    private IOException Error() =>
        new(_errno == Enospc ? "No space left on device" : "Too many open files", _errno);
}

/// <summary>Keeps every log event of the spool for assertions.</summary>
internal sealed class CapturingLogger : ILogger<FileSpool>
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Events { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Events.Enqueue((logLevel, eventId, formatter(state, exception)));

    public IEnumerable<string> WithId(int id) => Events.Where(e => e.Id.Id == id).Select(e => e.Message);
}
