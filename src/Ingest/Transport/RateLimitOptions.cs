namespace Ingest.Transport;

/// <summary>
/// New connections and logins the terminal ports take per second, per source address and in total
/// (<c>Ingest:RateLimits</c>): token buckets that refill at the rate and hold up to the burst. A connection or login
/// over a limit is closed at once and counted (<c>ingest_rate_limited_total</c>). A rate of 0 switches that limit off.
/// </summary>
/// <remarks>
/// The defaults are sized for a real fleet, not for a quiet day. After a network or platform outage every terminal
/// redials within a minute or two, and a carrier's private APN brings thousands of vehicles through one NAT address.
/// So the per-address burst (5,000) lets a whole APN's worth of vehicles back at once and refills at 500/s; the total
/// (50,000 burst, 5,000/s) lets a 100,000-vehicle fleet back in about 10 s while a flood from anywhere still cannot
/// ask the node for more than it commits per second. A terminal that is refused retries on its own login schedule.
/// Admission (the registry check) is what keeps unknown vehicles out; these limits only bound the cost of asking.
/// </remarks>
public sealed class RateLimitOptions
{
    /// <summary>Off switch for benchmarks that measure a reconnect storm from one address. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>New connections per second on all terminal ports together. Default 5,000; 0 = no limit.</summary>
    public double ConnectionsPerSecond { get; set; } = 5_000;

    /// <summary>Connections accepted at once before the total rate applies. Default 50,000.</summary>
    public int ConnectionBurst { get; set; } = 50_000;

    /// <summary>New connections per second from one source address. Default 500; 0 = no limit.</summary>
    public double ConnectionsPerSecondPerAddress { get; set; } = 500;

    /// <summary>Connections from one source address accepted at once. Default 5,000.</summary>
    public int ConnectionBurstPerAddress { get; set; } = 5_000;

    /// <summary>Logins (or first frames that bind a connection) per second in total. Default 5,000; 0 = no limit.</summary>
    public double LoginsPerSecond { get; set; } = 5_000;

    /// <summary>Logins at once before the total rate applies. Default 50,000.</summary>
    public int LoginBurst { get; set; } = 50_000;

    /// <summary>Logins per second from one source address. Default 500; 0 = no limit.</summary>
    public double LoginsPerSecondPerAddress { get; set; } = 500;

    /// <summary>Logins from one source address at once. Default 5,000.</summary>
    public int LoginBurstPerAddress { get; set; } = 5_000;

    /// <summary>Source addresses tracked at once; past it, addresses whose buckets are full again are forgotten. Default 100,000.</summary>
    public int MaxTrackedAddresses { get; set; } = 100_000;

    /// <summary>Problems, each as "Key: what is wrong".</summary>
    public IEnumerable<string> Validate()
    {
        foreach (var (name, rate, burst) in new[]
        {
            (nameof(ConnectionsPerSecond), ConnectionsPerSecond, ConnectionBurst),
            (nameof(ConnectionsPerSecondPerAddress), ConnectionsPerSecondPerAddress, ConnectionBurstPerAddress),
            (nameof(LoginsPerSecond), LoginsPerSecond, LoginBurst),
            (nameof(LoginsPerSecondPerAddress), LoginsPerSecondPerAddress, LoginBurstPerAddress),
        })
        {
            if (rate < 0 || double.IsNaN(rate))
            {
                yield return $"{name}: {rate} is negative (0 switches the limit off).";
            }
            else if (rate > 0 && burst < 1)
            {
                yield return $"{name}: its burst is {burst}; it must be at least 1.";
            }
        }
        if (MaxTrackedAddresses < 1)
        {
            yield return $"{nameof(MaxTrackedAddresses)}: {MaxTrackedAddresses} must be at least 1.";
        }
    }
}
