using System.Collections.Concurrent;

namespace Ingest.Sinks.Redis;

/// <summary>
/// Vehicle state in this process, for when Redis is not configured: same merge rules as Redis, nothing shared
/// between nodes, empty after a restart until vehicles report again. Holds at most
/// <see cref="RedisOptions.MaxInProcessVehicles"/>: a new vehicle beyond it evicts the least recently seen ones (a
/// login flood of random VINs cannot grow it without bound).
/// </summary>
public sealed class InMemoryVehicleStateStore(RedisOptions options, TimeProvider timeProvider) : IVehicleStateStore
{
    private readonly ConcurrentDictionary<string, VehicleState> _states = new(StringComparer.Ordinal);
    // Inserts and evictions are serialised so that the bound holds at every moment (the state sink is the only writer).
    private readonly Lock _insertGate = new();
    private readonly int _maxVehicles = options.MaxInProcessVehicles;
    private long _evicted;

    public int Count => _states.Count;

    /// <summary>Vehicles evicted to stay within <see cref="RedisOptions.MaxInProcessVehicles"/> since start.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    public ValueTask<StateApplyResult> ApplyAsync(ReadOnlyMemory<StateUpdate> updates, CancellationToken cancellationToken)
    {
        lock (_insertGate)
        {
            foreach (ref readonly var item in updates.Span)
            {
                var update = item.ToVehicleState();
                if (!_states.ContainsKey(update.Vin) && _states.Count >= _maxVehicles)
                {
                    EvictLeastRecentlySeen();
                }
                _states.AddOrUpdate(update.Vin, static (_, u) => VehicleStateMerge.Apply(null, u), static (_, stored, u) => VehicleStateMerge.Apply(stored, u), update);
            }
        }
        return ValueTask.FromResult(new StateApplyResult(StateApplyStatus.Applied, updates.Length));
    }

    /// <summary>
    /// Makes room for one vehicle by evicting the least recently seen 1/64 of the bound (at least one): a sort per 1/64
    /// of new vehicles instead of one per vehicle.
    /// </summary>
    private void EvictLeastRecentlySeen()
    {
        int count = Math.Max(_states.Count - _maxVehicles + 1, Math.Max(1, _maxVehicles / 64));
        foreach (var victim in _states.OrderBy(e => e.Value.LastSeen ?? e.Value.ReceivedAt).Take(count).ToList())
        {
            if (_states.TryRemove(victim))
            {
                Interlocked.Increment(ref _evicted);
            }
        }
    }

    public ValueTask<bool> MarkOfflineAsync(string vin, string? node, CancellationToken cancellationToken)
    {
        while (_states.TryGetValue(vin, out var stored))
        {
            if (!stored.Online || (node is not null && stored.Node != node))
            {
                return ValueTask.FromResult(false);
            }
            if (_states.TryUpdate(vin, stored with { Online = false }, stored))
            {
                return ValueTask.FromResult(true);
            }
        }
        return ValueTask.FromResult(false);
    }

    public ValueTask<StateSweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var offlineBefore = now - options.OfflineAfter;
        var forgetBefore = now - options.ForgetAfter;
        int offline = 0, forgotten = 0;
        foreach (var entry in _states)
        {
            var lastSeen = entry.Value.LastSeen ?? entry.Value.ReceivedAt;
            // TryRemove/TryUpdate with the value read: an update that arrived meanwhile wins.
            if (lastSeen <= forgetBefore)
            {
                forgotten += _states.TryRemove(entry) ? 1 : 0;
            }
            else if (entry.Value.Online && lastSeen <= offlineBefore)
            {
                offline += _states.TryUpdate(entry.Key, entry.Value with { Online = false }, entry.Value) ? 1 : 0;
            }
        }
        return ValueTask.FromResult(new StateSweepResult(offline, forgotten));
    }

    public ValueTask<VehicleState?> GetAsync(string vin, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_states.GetValueOrDefault(vin));

    public ValueTask<IReadOnlyList<VehicleState>> ListOnlineAsync(int limit, CancellationToken cancellationToken) =>
        ListOnlineAsync(limit, static _ => true, cancellationToken);

    public ValueTask<IReadOnlyList<VehicleState>> ListOnlineAsync(int limit, Func<string, bool> include, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentNullException.ThrowIfNull(include);
        var cutoff = timeProvider.GetUtcNow() - options.OnlineTimeout;
        IReadOnlyList<VehicleState> online = _states.Values
            .Where(s => s.Online && s.LastSeen >= cutoff && include(s.Vin))
            .OrderByDescending(s => s.LastSeen)
            .Take(limit)
            .ToList();
        return ValueTask.FromResult(online);
    }
}

/// <summary>The merge rules of <see cref="VehicleState"/> in C# (Redis runs the same rules in a script).</summary>
internal static class VehicleStateMerge
{
    public static VehicleState Apply(VehicleState? stored, VehicleState update)
    {
        var result = stored ?? new VehicleState { Vin = update.Vin, ReceivedAt = update.ReceivedAt, Online = update.Online };
        if (stored?.LastSeen is not { } lastSeen || update.ReceivedAt >= lastSeen)
        {
            result = result with
            {
                LastSeen = update.ReceivedAt,
                Online = update.Online,
                Node = update.Node ?? result.Node,
                Protocol = update.Protocol ?? result.Protocol,
            };
        }
        if (update.TelemetryIsNotOlderThan(stored?.DeviceTime))
        {
            result = result with
            {
                DeviceTime = update.DeviceTime,
                ReceivedAt = update.ReceivedAt,
                Longitude = update.Longitude ?? result.Longitude,
                Latitude = update.Latitude ?? result.Latitude,
                PositionValid = update.PositionValid ?? result.PositionValid,
                SpeedKmh = update.SpeedKmh ?? result.SpeedKmh,
                SocPct = update.SocPct ?? result.SocPct,
                FuelLevelPct = update.FuelLevelPct ?? result.FuelLevelPct,
                OdometerKm = update.OdometerKm ?? result.OdometerKm,
                AlarmLevel = update.AlarmLevel ?? result.AlarmLevel,
                AlarmFlags = update.AlarmFlags ?? result.AlarmFlags,
                Mil = update.Mil ?? result.Mil,
                NoxPpm = update.NoxPpm ?? result.NoxPpm,
                SpoolOffset = update.SpoolOffset ?? result.SpoolOffset,
            };
        }
        return result;
    }
}
