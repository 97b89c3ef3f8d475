namespace Ingest.AlarmEvents;

/// <summary>
/// The last <see cref="AlarmOptions.RecentEvents"/> event phases this node detected, newest first, for
/// <c>GET /alarms/recent</c> and the status page. In memory only: empty after a restart (ClickHouse keeps the history).
/// </summary>
public sealed class RecentAlarms(int capacity)
{
    private readonly AlarmEvent?[] _ring = new AlarmEvent?[Math.Max(capacity, 0)];
    private readonly Lock _lock = new();
    private long _added;

    public void Add(IReadOnlyList<AlarmEvent> events)
    {
        if (_ring.Length == 0)
        {
            return;
        }
        lock (_lock)
        {
            foreach (var e in events)
            {
                _ring[_added++ % _ring.Length] = e;
            }
        }
    }

    /// <summary>Up to <paramref name="limit"/> phases that pass <paramref name="visible"/>, newest first.</summary>
    public List<AlarmEvent> Newest(int limit, Func<AlarmEvent, bool> visible)
    {
        var result = new List<AlarmEvent>(Math.Min(limit, _ring.Length));
        lock (_lock)
        {
            for (long i = _added - 1; i >= 0 && i >= _added - _ring.Length && result.Count < limit; i--)
            {
                var e = _ring[i % _ring.Length]!;
                if (visible(e))
                {
                    result.Add(e);
                }
            }
        }
        return result;
    }
}
