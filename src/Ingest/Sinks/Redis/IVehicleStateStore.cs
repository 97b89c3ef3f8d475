using Ingest.Spool;

namespace Ingest.Sinks.Redis;

public enum StateApplyStatus : byte
{
    /// <summary>Every update of the batch is stored.</summary>
    Applied,
    /// <summary>The store is unreachable: nothing was waited for; the updates were dropped (and counted).</summary>
    Unavailable,
}

public readonly record struct StateApplyResult(StateApplyStatus Status, int Updates);

/// <summary>What one sweep did: vehicles marked offline, vehicles whose state was deleted; false when the store was unreachable.</summary>
public readonly record struct StateSweepResult(int MarkedOffline, int Forgotten, bool Completed = true);

/// <summary>
/// Latest state per vehicle, the online list and the live update feed. Never blocks its caller on an unreachable
/// store: such calls return <see cref="StateApplyStatus.Unavailable"/> / false at once (state is re-derivable from the
/// spool, which the state sink re-reads from its committed cursor).
/// </summary>
public interface IVehicleStateStore
{
    /// <summary>
    /// Merges a batch of updates (see <see cref="VehicleState"/> for the rules), in order: the outcome is that of
    /// applying them one by one. The store reads the updates only until the returned task completes.
    /// </summary>
    ValueTask<StateApplyResult> ApplyAsync(ReadOnlyMemory<StateUpdate> updates, CancellationToken cancellationToken);

    /// <summary>
    /// Marks a vehicle offline (connection closed without logout). With <paramref name="node"/>, only when that node
    /// still holds the vehicle, so a late close on an old node does not hide a vehicle that reconnected elsewhere.
    /// Returns false when nothing changed or the store is unreachable.
    /// </summary>
    ValueTask<bool> MarkOfflineAsync(string vin, string? node, CancellationToken cancellationToken);

    /// <summary>
    /// Marks offline every vehicle not seen for <see cref="RedisOptions.OfflineAfter"/> and deletes the state of every
    /// vehicle not seen for <see cref="RedisOptions.ForgetAfter"/> (now from the store's clock). A vehicle seen again
    /// while the sweep runs is left as it is. Idempotent: several nodes may sweep the same store.
    /// </summary>
    ValueTask<StateSweepResult> SweepAsync(CancellationToken cancellationToken);

    ValueTask<VehicleState?> GetAsync(string vin, CancellationToken cancellationToken);

    /// <summary>Vehicles seen within the online timeout and not logged out, most recently seen first.</summary>
    ValueTask<IReadOnlyList<VehicleState>> ListOnlineAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The online vehicles whose VIN <paramref name="include"/> accepts, most recently seen first. The VINs are
    /// filtered before any state is read, so a search or a tenant's view costs one read per vehicle returned, not per
    /// vehicle online.
    /// </summary>
    ValueTask<IReadOnlyList<VehicleState>> ListOnlineAsync(int limit, Func<string, bool> include, CancellationToken cancellationToken);
}

/// <summary>Turns a spool record into a state update (implemented from the decoded frames by the host).</summary>
public interface IVehicleStateProjector
{
    /// <summary>
    /// Writes the update this record makes into <paramref name="update"/>; false when it changes no vehicle state.
    /// Throw only for bugs.
    /// </summary>
    bool TryProject(in SpoolRecord record, out StateUpdate update);
}
