using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace Ingest.Sinks.Redis;

/// <summary>
/// Key layout. Every key of one vehicle carries the VIN as its Redis Cluster hash tag (<c>tm:{VIN}:state</c>), so a
/// vehicle's keys share one slot and a script may touch them together. The online set is split into
/// <see cref="RedisOptions.OnlineShards"/> sorted sets (<c>tm:online:{n}</c>) so presence writes spread over slots.
/// The live stream <c>tm:live</c> is a single key, hence one slot: it is a bounded convenience feed; a deployment
/// that needs more than one node's worth of stream throughput subscribes to <see cref="RedisOptions.LiveChannel"/>.
/// </summary>
public sealed class RedisKeys(RedisOptions options)
{
    private readonly string _prefix = options.KeyPrefix;
    private readonly int _shards = options.OnlineShards;

    /// <summary>Number of online (and seen) shards.</summary>
    public int Shards => _shards;

    public RedisKey State(string vin) => $"{_prefix}:{{{vin}}}:state";

    public RedisKey OnlineShard(int shard) => $"{_prefix}:online:{{{shard.ToString(CultureInfo.InvariantCulture)}}}";

    public RedisKey Online(string vin) => OnlineShard(ShardOf(vin));

    public IEnumerable<RedisKey> AllOnlineShards => Enumerable.Range(0, _shards).Select(OnlineShard);

    /// <summary>
    /// Every vehicle with a state hash, scored by last seen (<c>tm:seen:{n}</c>, sharded as the online sets): what the
    /// sweep walks to forget vehicles unseen for <see cref="RedisOptions.ForgetAfter"/>.
    /// </summary>
    public RedisKey SeenShard(int shard) => $"{_prefix}:seen:{{{shard.ToString(CultureInfo.InvariantCulture)}}}";

    public RedisKey Seen(string vin) => SeenShard(ShardOf(vin));

    public IEnumerable<RedisKey> AllSeenShards => Enumerable.Range(0, _shards).Select(SeenShard);

    /// <summary>
    /// The sentinel this deployment writes once Redis holds its state (<c>tm:{meta}:epoch</c>). Missing after a
    /// reconnect means Redis lost its data (restarted without persistence, flushed): live state is rebuilt from ClickHouse.
    /// </summary>
    public RedisKey Epoch => $"{_prefix}:{{meta}}:epoch";

    public RedisKey LiveStream => $"{_prefix}:live";

    /// <summary>Stable across processes and versions (FNV-1a of the VIN's UTF-8 bytes), unlike string.GetHashCode.</summary>
    public int ShardOf(string vin)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(vin))
        {
            hash = (hash ^ b) * 16777619;
        }
        return (int)(hash % (uint)_shards);
    }
}
