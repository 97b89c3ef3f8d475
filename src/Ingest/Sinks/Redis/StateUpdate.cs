using Ingest.Protocol.Primitives;
using Ingest.Spool;

namespace Ingest.Sinks.Redis;

/// <summary>
/// One update to a vehicle's state as the state sink carries it from the projector to the store: a value with the VIN
/// as its 17 header bytes, so that projecting a record allocates nothing (<see cref="Node"/> and
/// <see cref="Protocol"/> point at strings the projector already holds). Same fields and rules as
/// <see cref="VehicleState"/>: a null field means "not in this frame", telemetry counts only with a
/// <see cref="DeviceTime"/>.
/// </summary>
public struct StateUpdate
{
    public Vin Vin;
    public DateTimeOffset ReceivedAt;
    public DateTimeOffset? DeviceTime;
    /// <summary>A logout (the vehicle goes offline); any other frame means it is there. Default false: online.</summary>
    public bool LoggedOut;
    public string? Node;
    public string? Protocol;
    public double? Longitude;
    public double? Latitude;
    public bool? PositionValid;
    public double? SpeedKmh;
    public double? SocPct;
    public double? FuelLevelPct;
    public double? OdometerKm;
    public int? AlarmLevel;
    public uint? AlarmFlags;
    public bool? Mil;
    public double? NoxPpm;
    public long? SpoolOffset;

    /// <summary>The update a <see cref="VehicleState"/> describes (its VIN at most 17 ASCII characters, see <see cref="Vin.Parse"/>).</summary>
    public static StateUpdate From(VehicleState state) => new()
    {
        Vin = Vin.Parse(state.Vin),
        ReceivedAt = state.ReceivedAt,
        DeviceTime = state.DeviceTime,
        LoggedOut = !state.Online,
        Node = state.Node,
        Protocol = state.Protocol,
        Longitude = state.Longitude,
        Latitude = state.Latitude,
        PositionValid = state.PositionValid,
        SpeedKmh = state.SpeedKmh,
        SocPct = state.SocPct,
        FuelLevelPct = state.FuelLevelPct,
        OdometerKm = state.OdometerKm,
        AlarmLevel = state.AlarmLevel,
        AlarmFlags = state.AlarmFlags,
        Mil = state.Mil,
        NoxPpm = state.NoxPpm,
        SpoolOffset = state.SpoolOffset,
    };

    /// <summary>The same update as a <see cref="VehicleState"/> (allocates: for the in-process store, the live channel and tests).</summary>
    public readonly VehicleState ToVehicleState() => new()
    {
        Vin = Vin.ToString(),
        ReceivedAt = ReceivedAt,
        DeviceTime = DeviceTime,
        Online = !LoggedOut,
        Node = Node,
        Protocol = Protocol,
        Longitude = Longitude,
        Latitude = Latitude,
        PositionValid = PositionValid,
        SpeedKmh = SpeedKmh,
        SocPct = SocPct,
        FuelLevelPct = FuelLevelPct,
        OdometerKm = OdometerKm,
        AlarmLevel = AlarmLevel,
        AlarmFlags = AlarmFlags,
        Mil = Mil,
        NoxPpm = NoxPpm,
        SpoolOffset = SpoolOffset,
    };
}

/// <summary>
/// The state sink's batch of updates: one array reused from batch to batch (it grows to the largest batch and stays),
/// so a batch costs no allocation once the sink is warm.
/// </summary>
public sealed class StateUpdateBatch
{
    private StateUpdate[] _items = new StateUpdate[64];

    public int Count { get; private set; }

    public ReadOnlyMemory<StateUpdate> Memory => _items.AsMemory(0, Count);

    public void Clear() => Count = 0;

    public void Add(in StateUpdate update)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }
        _items[Count++] = update;
    }
}

public static class StateUpdateExtensions
{
    /// <summary>Applies updates described as <see cref="VehicleState"/>s (the rebuild from ClickHouse, tests): one <see cref="StateUpdate"/> each.</summary>
    public static ValueTask<StateApplyResult> ApplyAsync(this IVehicleStateStore store, IReadOnlyList<VehicleState> updates,
        CancellationToken cancellationToken)
    {
        var converted = new StateUpdate[updates.Count];
        for (int i = 0; i < converted.Length; i++)
        {
            converted[i] = StateUpdate.From(updates[i]);
        }
        return store.ApplyAsync(converted, cancellationToken);
    }

    /// <summary>The update a record makes as a <see cref="VehicleState"/>, or null (allocates: for tools and tests).</summary>
    public static VehicleState? Project(this IVehicleStateProjector projector, in SpoolRecord record) =>
        projector.TryProject(record, out var update) ? update.ToVehicleState() : null;
}
