namespace Ingest.Spool;

/// <summary>
/// Exponential backoff for a spool consumer whose destination is down: <see cref="MinDelay"/>, doubled per consecutive failure, capped
/// at <see cref="MaxDelay"/>, with up to 20% jitter so many nodes do not retry in lockstep.
/// </summary>
public sealed class RetryBackoff
{
    private int _failures;

    public RetryBackoff(TimeSpan minDelay, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(minDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, minDelay);
        MinDelay = minDelay;
        MaxDelay = maxDelay;
    }

    public TimeSpan MinDelay { get; }

    public TimeSpan MaxDelay { get; }

    /// <summary>Consecutive failures since the last success.</summary>
    public int Failures => _failures;

    /// <summary>Counts a failure and returns how long to wait before the next attempt.</summary>
    public TimeSpan NextDelay()
    {
        int exponent = Math.Min(_failures, 30);
        _failures++;
        double ticks = Math.Min(MinDelay.Ticks * Math.Pow(2, exponent), MaxDelay.Ticks);
        double jitter = 1 - (Random.Shared.NextDouble() * 0.2);
        return TimeSpan.FromTicks(Math.Max(MinDelay.Ticks, (long)(ticks * jitter)));
    }

    public void Reset() => _failures = 0;
}
