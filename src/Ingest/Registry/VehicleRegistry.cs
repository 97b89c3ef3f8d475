using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Ingest.Registry;

/// <summary>
/// The registry held in memory as an immutable snapshot that readers use without a lock; writers (rare: the HTTP API
/// and imports) take turns, persist the next snapshot through <see cref="RegistryFile"/> and only then publish it,
/// so a change that returned is never lost by a crash.
/// </summary>
public sealed class VehicleRegistry : IVehicleRegistry
{
    private readonly RegistryFile _file;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private volatile FrozenDictionary<string, VehicleFiling> _byVin;
    private long _version;

    private VehicleRegistry(RegistryFile file, IEnumerable<VehicleFiling> filings)
    {
        _file = file;
        _byVin = filings.ToFrozenDictionary(f => f.Vin, StringComparer.Ordinal);
    }

    /// <summary>Opens the registry persisted at <paramref name="file"/> (empty when the file does not exist yet).</summary>
    public static VehicleRegistry Open(RegistryFile file) => new(file, file.Load());

    public int Count => _byVin.Count;

    public long Version => Interlocked.Read(ref _version);

    public event Action<IReadOnlyCollection<string>>? Changed;

    public bool TryGet(string vin, [NotNullWhen(true)] out VehicleFiling? filing) => _byVin.TryGetValue(vin, out filing);

    public IReadOnlyList<VehicleFiling> List(string? tenant = null) => _byVin.Values
        .Where(f => tenant is null || string.Equals(f.Tenant, tenant, StringComparison.Ordinal))
        .OrderBy(f => f.Vin, StringComparer.Ordinal)
        .ToList();

    public async ValueTask UpsertAsync(IReadOnlyCollection<VehicleFiling> filings, CancellationToken cancellationToken = default)
    {
        if (filings.Count == 0)
        {
            return;
        }
        await ApplyAsync(next =>
        {
            foreach (var filing in filings)
            {
                next[filing.Vin] = filing;
            }
            return filings.Count;
        }, filings.Select(f => f.Vin).ToList(), cancellationToken);
    }

    public async ValueTask<int> RemoveAsync(IReadOnlyCollection<string> vins, CancellationToken cancellationToken = default)
    {
        var removed = vins.Where(_byVin.ContainsKey).Distinct(StringComparer.Ordinal).ToList();
        if (removed.Count == 0)
        {
            return 0;
        }
        return await ApplyAsync(next => removed.Count(next.Remove), removed, cancellationToken);
    }

    private async ValueTask<int> ApplyAsync(Func<Dictionary<string, VehicleFiling>, int> change, IReadOnlyCollection<string> touched,
        CancellationToken cancellationToken)
    {
        int count;
        await _writer.WaitAsync(cancellationToken);
        try
        {
            var next = new Dictionary<string, VehicleFiling>(_byVin, StringComparer.Ordinal);
            count = change(next);
            await _file.SaveAsync(next.Values, cancellationToken);
            _byVin = next.ToFrozenDictionary(StringComparer.Ordinal);
            Interlocked.Increment(ref _version);
        }
        finally
        {
            _writer.Release();
        }
        Changed?.Invoke(touched);
        return count;
    }
}
