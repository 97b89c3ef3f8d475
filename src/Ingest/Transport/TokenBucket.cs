namespace Ingest.Transport;

/// <summary>
/// Tokens that refill at a steady rate up to a burst; one is taken per event. Called on connects and logins, not per
/// frame, so a short lock is simpler than a lock-free scheme and costs nothing that matters.
/// </summary>
public sealed class TokenBucket
{
    private readonly double _perSecond;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _refilledAt;

    public TokenBucket(double perSecond, int burst, TimeProvider time)
    {
        _perSecond = perSecond;
        _burst = burst;
        _time = time;
        _tokens = burst;
        _refilledAt = time.GetTimestamp();
    }

    public bool TryTake()
    {
        lock (this)
        {
            Refill();
            if (_tokens < 1)
            {
                return false;
            }
            _tokens -= 1;
            return true;
        }
    }

    /// <summary>Gives back a token taken by <see cref="TryTake"/> when a later check refused the event anyway.</summary>
    public void Return()
    {
        lock (this)
        {
            _tokens = Math.Min(_burst, _tokens + 1);
        }
    }

    /// <summary>True when the bucket has refilled completely: its address can be forgotten without changing any decision.</summary>
    public bool IsFull
    {
        get
        {
            lock (this)
            {
                Refill();
                return _tokens >= _burst;
            }
        }
    }

    private void Refill()
    {
        long now = _time.GetTimestamp();
        double seconds = _time.GetElapsedTime(_refilledAt, now).TotalSeconds;
        if (seconds > 0)
        {
            _tokens = Math.Min(_burst, _tokens + seconds * _perSecond);
            _refilledAt = now;
        }
    }
}
