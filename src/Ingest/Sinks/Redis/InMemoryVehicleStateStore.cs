using System.Collections.Concurrent;

namespace Ingest.Sinks.Redis;

/// <summary>
/// Vehicle state in this process, for when Redis is not configured: same merge rules as Redis, nothing shared
/// between nodes, empty after a restart until vehicles report again.
/// </summary>
public sealed class InMemoryVehicleStateStore(RedisOptions options, TimeProvider timeProvider) : IVehicleStateStore
{
    private readonly ConcurrentDictionary<string, VehicleState> _states = new(StringComparer.Ordinal);

    public int Count => _states.Count;

    public ValueTask<StateApplyResult> ApplyAsync(IReadOnlyList<VehicleState> updates, CancellationToken cancellationToken)
    {
        foreach (var update in updates)
        {
            _states.AddOrUpdate(update.Vin, static (_, u) => VehicleStateMerge.Apply(null, u), static (_, stored, u) => VehicleStateMerge.Apply(stored, u), update);
        }
        return ValueTask.FromResult(new StateApplyResult(StateApplyStatus.Applied, updates.Count));
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

    public ValueTask<VehicleState?> GetAsync(string vin, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_states.GetValueOrDefault(vin));

    public ValueTask<IReadOnlyList<VehicleState>> ListOnlineAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var cutoff = timeProvider.GetUtcNow() - options.OnlineTimeout;
        IReadOnlyList<VehicleState> online = _states.Values
            .Where(s => s.Online && s.LastSeen >= cutoff)
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
