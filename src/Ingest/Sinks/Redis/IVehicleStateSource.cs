namespace Ingest.Sinks.Redis;

/// <summary>
/// Where live state is rebuilt from when Redis lost it: the stored history (the host implements it over ClickHouse).
/// </summary>
public interface IVehicleStateSource
{
    /// <summary>
    /// Updates that, merged, give the latest known state of every vehicle seen since <paramref name="since"/>. A vehicle
    /// may come several times (one update per table); the merge keeps the newest of each part, as it does for frames.
    /// </summary>
    IAsyncEnumerable<VehicleState> ReadLatestAsync(DateTimeOffset since, CancellationToken cancellationToken);
}
