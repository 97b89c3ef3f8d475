using System.Collections.Concurrent;
using System.Net;

namespace Ingest.Transport;

/// <summary>What a rate limit refused: which event, and whether its address or the node as a whole was over.</summary>
public enum RateLimitScope : byte
{
    None,
    Address,
    Total,
}

/// <summary>
/// The connect and login limits of <see cref="RateLimitOptions"/>: one bucket per source address and one for the
/// node, for each of the two events. The per-address buckets are forgotten once full again, so the table holds only
/// addresses that were busy lately and is bounded by <see cref="RateLimitOptions.MaxTrackedAddresses"/>.
/// </summary>
public sealed class RateLimiter
{
    private readonly Limit _connects;
    private readonly Limit _logins;

    public RateLimiter(RateLimitOptions options, TimeProvider time)
    {
        bool on = options.Enabled;
        _connects = new Limit(on ? options.ConnectionsPerSecond : 0, options.ConnectionBurst,
            on ? options.ConnectionsPerSecondPerAddress : 0, options.ConnectionBurstPerAddress, options.MaxTrackedAddresses, time);
        _logins = new Limit(on ? options.LoginsPerSecond : 0, options.LoginBurst,
            on ? options.LoginsPerSecondPerAddress : 0, options.LoginBurstPerAddress, options.MaxTrackedAddresses, time);
    }

    /// <summary>Takes a connect token for <paramref name="remote"/>; returns which limit refused it, or None.</summary>
    public RateLimitScope TryConnect(EndPoint? remote) => _connects.TryTake(remote);

    /// <summary>Takes a login token for <paramref name="remote"/>; returns which limit refused it, or None.</summary>
    public RateLimitScope TryLogin(EndPoint? remote) => _logins.TryTake(remote);

    private sealed class Limit
    {
        private readonly TokenBucket? _total;
        private readonly double _perAddress;
        private readonly int _burstPerAddress;
        private readonly int _maxTracked;
        private readonly TimeProvider _time;
        private readonly ConcurrentDictionary<IPAddress, TokenBucket> _byAddress = new();
        private int _pruning;

        public Limit(double total, int burst, double perAddress, int burstPerAddress, int maxTracked, TimeProvider time)
        {
            _total = total > 0 ? new TokenBucket(total, burst, time) : null;
            _perAddress = perAddress;
            _burstPerAddress = burstPerAddress;
            _maxTracked = maxTracked;
            _time = time;
        }

        public RateLimitScope TryTake(EndPoint? remote)
        {
            TokenBucket? address = null;
            if (_perAddress > 0 && remote is IPEndPoint { Address: var ip })
            {
                address = Bucket(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
                if (address is not null && !address.TryTake())
                {
                    return RateLimitScope.Address;
                }
            }
            if (_total is not null && !_total.TryTake())
            {
                address?.Return(); // the address did not get its connection: it should not pay for it
                return RateLimitScope.Total;
            }
            return RateLimitScope.None;
        }

        /// <summary>
        /// The address's bucket; null when the table is full of addresses that are all still busy (then only the
        /// total limit applies to a new address, rather than letting the table grow without bound).
        /// </summary>
        private TokenBucket? Bucket(IPAddress ip)
        {
            if (_byAddress.TryGetValue(ip, out var bucket))
            {
                return bucket;
            }
            if (_byAddress.Count >= _maxTracked)
            {
                Prune();
                if (_byAddress.Count >= _maxTracked)
                {
                    return null;
                }
            }
            return _byAddress.GetOrAdd(ip, _ => new TokenBucket(_perAddress, _burstPerAddress, _time));
        }

        private void Prune()
        {
            if (Interlocked.Exchange(ref _pruning, 1) != 0)
            {
                return;
            }
            try
            {
                foreach (var (ip, bucket) in _byAddress)
                {
                    if (bucket.IsFull)
                    {
                        _byAddress.TryRemove(new KeyValuePair<IPAddress, TokenBucket>(ip, bucket));
                    }
                }
            }
            finally
            {
                Volatile.Write(ref _pruning, 0);
            }
        }
    }
}
