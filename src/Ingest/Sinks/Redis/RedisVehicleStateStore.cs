using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ingest.Protocol.Primitives;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ingest.Sinks.Redis;

/// <summary>
/// Vehicle state in Redis (single node or Redis Cluster):
/// <list type="bullet">
/// <item><c>tm:{VIN}:state</c> hash, merged by a script that applies presence and telemetry fields only when they are not
/// older than what is stored (reissued and replayed data never roll the state back);</item>
/// <item><c>tm:online:{n}</c> sorted sets of VINs scored by last-seen unix ms (ZADD GT), sharded by VIN;</item>
/// <item><c>tm:live</c> stream capped with <c>XADD MAXLEN ~</c>, and optionally a PUBLISH per update.</item>
/// </list>
/// A batch is one round trip: its updates are merged per VIN, then written with one merge-script call per cluster slot
/// group (one in all on a single node), one ZADD per online/seen shard and one XADD per update
/// (<see cref="RedisStateBatch"/>), every command sent at once and awaited together. The connection never blocks a caller: with
/// <c>AbortOnConnectFail=false</c> it reconnects in the background, and while it is down calls return
/// <see cref="StateApplyStatus.Unavailable"/> at once (commands fail fast instead of queueing).
/// </summary>
public sealed class RedisVehicleStateStore : IVehicleStateStore, IAsyncDisposable
{
    // KEYS[1] state hash. ARGV[1] node or ''. Sets online=0 when online and (no node given or the node matches).
    private const string OfflineScript = """
        if redis.call('HGET', KEYS[1], 'online') ~= '1' then return 0 end
        if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'node') ~= ARGV[1] then return 0 end
        redis.call('HSET', KEYS[1], 'online', '0')
        return 1
        """;

    // KEYS[1] state hash. ARGV[1] cutoff (ms). Sets online=0 when online and last seen no later than the cutoff.
    private const string SweepOfflineScript = """
        if redis.call('HGET', KEYS[1], 'online') ~= '1' then return 0 end
        if tonumber(redis.call('HGET', KEYS[1], 'last_seen_ms') or '-1') > tonumber(ARGV[1]) then return 0 end
        redis.call('HSET', KEYS[1], 'online', '0')
        return 1
        """;

    // KEYS[1] state hash. ARGV[1] cutoff (ms). Deletes the hash unless it was seen after the cutoff.
    private const string ForgetScript = """
        local seen = redis.call('HGET', KEYS[1], 'last_seen_ms')
        if seen and tonumber(seen) > tonumber(ARGV[1]) then return 0 end
        return redis.call('DEL', KEYS[1])
        """;

    // KEYS[1] sorted set. ARGV[1] cutoff (ms), ARGV[2..] members. Removes the members still scored no later than the cutoff.
    private const string RemoveUnseenScript = """
        local cutoff = tonumber(ARGV[1])
        local removed = 0
        for i = 2, #ARGV do
          local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
          if score and tonumber(score) <= cutoff then removed = removed + redis.call('ZREM', KEYS[1], ARGV[i]) end
        end
        return removed
        """;

    /// <summary>Members a sweep takes from one sorted set per round trip.</summary>
    private const int SweepPage = 500;

    /// <summary>Vehicles whose keys are kept computed (about 200 bytes each).</summary>
    private const int MaxCachedRoutes = 1 << 18;

    private readonly ConnectionMultiplexer _connection;
    private readonly RedisOptions _options;
    private readonly RedisKeys _keys;
    private readonly RedisStateMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RedisChannel? _liveChannel;
    private readonly ConcurrentDictionary<Vin, VehicleRoute> _routes = new();
    private readonly Func<Vin, VehicleRoute> _route;
    private RedisStateBatch? _spareBatch;

    private RedisVehicleStateStore(ConnectionMultiplexer connection, RedisOptions options, RedisStateMetrics metrics, ILogger logger, TimeProvider time)
    {
        _connection = connection;
        _options = options;
        _keys = new RedisKeys(options);
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _route = Route;
        _liveChannel = string.IsNullOrEmpty(options.LiveChannel) ? (RedisChannel?)null : RedisChannel.Literal(options.LiveChannel);
        _connection.ConnectionFailed += (_, e) =>
            RedisStateLog.ConnectionFailed(_logger, e.EndPoint?.ToString() ?? "?", e.FailureType.ToString(), e.Exception);
        _connection.ConnectionRestored += (_, e) =>
        {
            RedisStateLog.ConnectionRestored(_logger, e.EndPoint?.ToString() ?? "?");
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                Reconnected?.Invoke();
            }
        };
    }

    /// <summary>Raised when the command connection is back after a loss (Redis may have restarted empty meanwhile).</summary>
    public event Action? Reconnected;

    public RedisKeys Keys => _keys;

    /// <summary>The shared connection's database, for other writers of this node's keys (the alarm event stream).</summary>
    public IDatabase Database => _connection.GetDatabase();

    public bool IsConnected => _connection.IsConnected;

    /// <summary>Connects (or starts connecting in the background when Redis is down: this never fails for that reason).</summary>
    public static async Task<RedisVehicleStateStore> ConnectAsync(
        RedisOptions options, RedisStateMetrics metrics, ILogger<RedisVehicleStateStore> logger, TimeProvider? timeProvider = null)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(Configuration(options)).ConfigureAwait(false);
        return new RedisVehicleStateStore(connection, options, metrics, logger, timeProvider ?? TimeProvider.System);
    }

    /// <summary>As <see cref="ConnectAsync"/>, for a DI factory (returns within <see cref="RedisOptions.ConnectTimeout"/>).</summary>
    public static RedisVehicleStateStore Connect(
        RedisOptions options, RedisStateMetrics metrics, ILogger<RedisVehicleStateStore> logger, TimeProvider? timeProvider = null) =>
        new(ConnectionMultiplexer.Connect(Configuration(options)), options, metrics, logger, timeProvider ?? TimeProvider.System);

    private static ConfigurationOptions Configuration(RedisOptions options)
    {
        if (!options.IsConfigured)
        {
            throw new ArgumentException("Redis:Endpoint is empty.", nameof(options));
        }
        var configuration = ConfigurationOptions.Parse(options.Endpoint!);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        configuration.SyncTimeout = configuration.AsyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        configuration.ReconnectRetryPolicy = new ExponentialRetry(250, 5_000);
        // After a Redis Cluster failover the client keeps the old master of the moved slots until its next topology
        // check, and writes to them fail fast (dropped updates) until then: check every 5 s, not every 60 s.
        if (!options.Endpoint!.Contains("configCheckSeconds", StringComparison.OrdinalIgnoreCase))
        {
            configuration.ConfigCheckSeconds = 5;
        }
        configuration.ClientName ??= "ingest";
        return configuration;
    }

    public async ValueTask<StateApplyResult> ApplyAsync(ReadOnlyMemory<StateUpdate> updates, CancellationToken cancellationToken)
    {
        if (updates.IsEmpty)
        {
            return new StateApplyResult(StateApplyStatus.Applied, 0);
        }
        if (!_connection.IsConnected)
        {
            _metrics.Dropped(updates.Length);
            return new StateApplyResult(StateApplyStatus.Unavailable, updates.Length);
        }
        var started = Stopwatch.GetTimestamp();
        var commands = Interlocked.Exchange(ref _spareBatch, null) ?? new RedisStateBatch();
        commands.Clear();
        commands.Merge(updates.Span, _route);
        var tasks = new List<Task>(4 + (2 * _keys.Shards));
        var batch = _connection.GetDatabase().CreateBatch();
        commands.Queue(batch, updates.Span, _keys, _options, GroupBySlot || IsCluster(), tasks);
        if (_liveChannel is { } channel)
        {
            foreach (ref readonly var update in updates.Span)
            {
                tasks.Add(batch.PublishAsync(channel, JsonSerializer.Serialize(update.ToVehicleState(), VehicleStateJsonContext.Live.VehicleState)));
            }
        }
        try
        {
            // Execute throws at once when the connection dropped after the IsConnected check above: same outcome.
            batch.Execute();
            await Task.WhenAll(tasks).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException)
        {
            // The commands' buffers are not reused: an abandoned command may still be written from them.
            ObserveAll(tasks);
            _metrics.Error("pipeline");
            _metrics.Dropped(updates.Length);
            RedisStateLog.CommandsFailed(_logger, updates.Length, exception.Message);
            return new StateApplyResult(StateApplyStatus.Unavailable, updates.Length);
        }
        commands.Release();
        _spareBatch = commands;
        _metrics.Applied(updates.Length, commands.Vehicles, Stopwatch.GetElapsedTime(started));
        return new StateApplyResult(StateApplyStatus.Applied, updates.Length);
    }

    /// <summary>
    /// Runs the merge script once per cluster slot even on a single node (tests: the cluster path without a cluster).
    /// </summary>
    internal bool GroupBySlot { get; set; }

    private bool IsCluster()
    {
        foreach (var server in _connection.GetServers())
        {
            if (server.ServerType == ServerType.Cluster)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Keys and routing of a vehicle, built on its first update and kept (up to <see cref="MaxCachedRoutes"/> vehicles).</summary>
    private VehicleRoute Route(Vin vin)
    {
        if (_routes.TryGetValue(vin, out var route))
        {
            return route;
        }
        if (_routes.Count >= MaxCachedRoutes)
        {
            _routes.Clear(); // rebuilt as vehicles report: a bound, not an eviction policy
        }
        string text = vin.ToString();
        var state = _keys.State(text);
        route = new VehicleRoute(state, text, _keys.ShardOf(text), RedisStateBatch.SlotOf((string)state!));
        _routes[vin] = route;
        return route;
    }

    public async ValueTask<bool> MarkOfflineAsync(string vin, string? node, CancellationToken cancellationToken)
    {
        if (!_connection.IsConnected)
        {
            _metrics.Dropped(1);
            return false;
        }
        var db = _connection.GetDatabase();
        try
        {
            var changed = (int)await db.ScriptEvaluateAsync(OfflineScript, [_keys.State(vin)], [node ?? ""]).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (changed == 1)
            {
                await db.SortedSetRemoveAsync(_keys.Online(vin), vin).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            return changed == 1;
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException)
        {
            _metrics.Error("offline");
            _metrics.Dropped(1);
            RedisStateLog.CommandsFailed(_logger, 1, exception.Message);
            return false;
        }
    }

    public async ValueTask<StateSweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        if (!_connection.IsConnected)
        {
            return new StateSweepResult(0, 0, Completed: false);
        }
        var db = _connection.GetDatabase();
        var now = _time.GetUtcNow();
        long offlineCutoff = (now - _options.OfflineAfter).ToUnixTimeMilliseconds();
        long forgetCutoff = (now - _options.ForgetAfter).ToUnixTimeMilliseconds();
        int offline = 0, forgotten = 0;
        try
        {
            foreach (var (online, seen) in _keys.AllOnlineShards.Zip(_keys.AllSeenShards))
            {
                // Forget first: a vehicle about to be deleted is not worth marking offline (and counts once).
                forgotten += await SweepShardAsync(db, seen, ForgetScript, forgetCutoff, [online], cancellationToken).ConfigureAwait(false);
                offline += await SweepShardAsync(db, online, SweepOfflineScript, offlineCutoff, [], cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException)
        {
            _metrics.Error("sweep");
            RedisStateLog.SweepFailed(_logger, exception.Message);
            return new StateSweepResult(offline, forgotten, Completed: false);
        }
        return new StateSweepResult(offline, forgotten);
    }

    /// <summary>
    /// Pages through the members of <paramref name="index"/> scored no later than <paramref name="cutoff"/>, runs
    /// <paramref name="perVehicle"/> on each one's state hash, then takes them out of the index (and of
    /// <paramref name="alsoFrom"/>) unless they were seen meanwhile. Returns how many hashes the script changed.
    /// </summary>
    private async Task<int> SweepShardAsync(IDatabase db, RedisKey index, string perVehicle, long cutoff, RedisKey[] alsoFrom,
        CancellationToken cancellationToken)
    {
        int changed = 0;
        while (true)
        {
            var members = await db.SortedSetRangeByScoreAsync(index, double.NegativeInfinity, cutoff, take: SweepPage)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            if (members.Length == 0)
            {
                return changed;
            }
            var results = members.Select(vin => db.ScriptEvaluateAsync(perVehicle, [_keys.State(vin.ToString())], [cutoff])).ToArray();
            foreach (var result in await Task.WhenAll(results).WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                changed += (int)result > 0 ? 1 : 0;
            }
            RedisValue[] arguments = [cutoff, .. members];
            foreach (var key in alsoFrom.Prepend(index))
            {
                await db.ScriptEvaluateAsync(RemoveUnseenScript, [key], arguments).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            if (members.Length < SweepPage)
            {
                return changed;
            }
        }
    }

    /// <summary>
    /// Writes the sentinel (<see cref="RedisKeys.Epoch"/>) unless it exists. True means it was missing: this Redis has
    /// lost this deployment's state (or never had it), and the caller, the one node that wrote it, rebuilds.
    /// </summary>
    public async Task<bool> ClaimEpochAsync(string owner, CancellationToken cancellationToken) =>
        await _connection.GetDatabase().StringSetAsync(_keys.Epoch, owner, when: When.NotExists).WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Deletes the sentinel after a failed rebuild, so that the next check tries again.</summary>
    public async Task ReleaseEpochAsync(CancellationToken cancellationToken) =>
        await _connection.GetDatabase().KeyDeleteAsync(_keys.Epoch).WaitAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask<VehicleState?> GetAsync(string vin, CancellationToken cancellationToken)
    {
        var entries = await _connection.GetDatabase().HashGetAllAsync(_keys.State(vin)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return VehicleStateFields.Parse(vin, entries);
    }

    public async ValueTask<IReadOnlyList<VehicleState>> ListOnlineAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var db = _connection.GetDatabase();
        double cutoff = (_time.GetUtcNow() - _options.OnlineTimeout).ToUnixTimeMilliseconds();
        var shards = _keys.AllOnlineShards
            .Select(key => db.SortedSetRangeByScoreWithScoresAsync(key, cutoff, double.PositiveInfinity, order: Order.Descending, take: limit))
            .ToArray();
        var newest = (await Task.WhenAll(shards).WaitAsync(cancellationToken).ConfigureAwait(false))
            .SelectMany(entries => entries)
            .OrderByDescending(entry => entry.Score)
            .Take(limit)
            .Select(entry => entry.Element.ToString())
            .ToArray();
        return await ReadOnlineStatesAsync(db, newest, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<VehicleState>> ListOnlineAsync(int limit, Func<string, bool> include, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentNullException.ThrowIfNull(include);
        var db = _connection.GetDatabase();
        double cutoff = (_time.GetUtcNow() - _options.OnlineTimeout).ToUnixTimeMilliseconds();
        // Every online VIN (a short string each), filtered here: only the states returned are read.
        var shards = _keys.AllOnlineShards
            .Select(key => db.SortedSetRangeByScoreWithScoresAsync(key, cutoff, double.PositiveInfinity, order: Order.Descending))
            .ToArray();
        var newest = (await Task.WhenAll(shards).WaitAsync(cancellationToken).ConfigureAwait(false))
            .SelectMany(entries => entries)
            .Select(entry => (Vin: entry.Element.ToString(), entry.Score))
            .Where(entry => include(entry.Vin))
            .OrderByDescending(entry => entry.Score)
            .Take(limit)
            .Select(entry => entry.Vin)
            .ToArray();
        return await ReadOnlineStatesAsync(db, newest, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<VehicleState>> ReadOnlineStatesAsync(IDatabase db, string[] newest, CancellationToken cancellationToken)
    {
        var hashes = newest.Select(vin => db.HashGetAllAsync(_keys.State(vin))).ToArray();
        var entries = await Task.WhenAll(hashes).WaitAsync(cancellationToken).ConfigureAwait(false);
        return newest
            .Select((vin, i) => VehicleStateFields.Parse(vin, entries[i]))
            .Where(state => state is { Online: true })
            .Select(state => state!)
            .ToList();
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync().ConfigureAwait(false);

    /// <summary>Marks the faults of abandoned pipeline tasks as observed.</summary>
    private static void ObserveAll(IEnumerable<Task> tasks)
    {
        foreach (var task in tasks)
        {
            _ = task.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VehicleState))]
internal sealed partial class VehicleStateJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The live channel's JSON, with the conventions of the HTTP surface and the decode output: times at +08:00 and a
    /// plain '+' (the default encoder would write "\u002B08:00").
    /// </summary>
    public static VehicleStateJsonContext Live { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new Records.BeijingTimeJsonConverter() },
    });
}
