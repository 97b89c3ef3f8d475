namespace Ingest.Registry;

/// <summary>
/// The filed vehicles, read on every login and every signed frame, changed through the HTTP API or a bulk import.
/// Reads are lock-free lookups; a change is durable before the call returns and raises <see cref="Changed"/> so
/// running sessions and forwarder filters apply it without a restart.
/// </summary>
public interface IVehicleRegistry
{
    /// <summary>Number of filed vehicles.</summary>
    int Count { get; }

    /// <summary>Increases with every applied change.</summary>
    long Version { get; }

    bool TryGet(string vin, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VehicleFiling? filing);

    /// <summary>Every filing, in VIN order; <paramref name="tenant"/> null means all tenants.</summary>
    IReadOnlyList<VehicleFiling> List(string? tenant = null);

    /// <summary>Adds or replaces filings, durably, and raises <see cref="Changed"/> once.</summary>
    ValueTask UpsertAsync(IReadOnlyCollection<VehicleFiling> filings, CancellationToken cancellationToken = default);

    /// <summary>Removes filings, durably; returns how many existed. Raises <see cref="Changed"/> once.</summary>
    ValueTask<int> RemoveAsync(IReadOnlyCollection<string> vins, CancellationToken cancellationToken = default);

    /// <summary>Raised after a change is durable, with the VINs it touched (added, replaced or removed).</summary>
    event Action<IReadOnlyCollection<string>>? Changed;
}
