namespace Ingest.Sessions;

/// <summary>
/// At most <c>lines</c> log lines per <c>window</c> for one kind of event that an outsider can cause at will (a
/// flood of refused logins): the rest are only counted, and the next line that is written says how many were left
/// out, so the log stays bounded however long the flood lasts. The counters still see every event.
/// </summary>
public sealed class LogBudget
{
    private readonly int _lines;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private long _windowStart;
    private int _written;
    private long _suppressed;

    public LogBudget(int lines, TimeSpan window, TimeProvider time)
    {
        _lines = lines;
        _window = window;
        _time = time;
        _windowStart = time.GetTimestamp();
    }

    /// <summary>True when this event may be logged; <paramref name="suppressed"/> is how many were left out before it.</summary>
    public bool TryWrite(out long suppressed)
    {
        lock (this)
        {
            long now = _time.GetTimestamp();
            if (_time.GetElapsedTime(_windowStart, now) >= _window)
            {
                _windowStart = now;
                _written = 0;
            }
            if (_written >= _lines)
            {
                _suppressed++;
                suppressed = 0;
                return false;
            }
            _written++;
            suppressed = _suppressed;
            _suppressed = 0;
            return true;
        }
    }
}
