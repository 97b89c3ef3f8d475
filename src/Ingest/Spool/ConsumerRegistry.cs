namespace Ingest.Spool;

/// <summary>A registered consumer: its name and its persisted committed offset.</summary>
internal sealed class ConsumerRegistration(string name, long committedOffset)
{
    private long _committedOffset = committedOffset;

    public string Name { get; } = name;

    public long CommittedOffset
    {
        get => Volatile.Read(ref _committedOffset);
        set => Volatile.Write(ref _committedOffset, value);
    }

    private long _persistedOffset = committedOffset;

    /// <summary>The offset in the cursor file: what survives a crash, and what segment deletion goes by.</summary>
    public long PersistedOffset
    {
        get => Volatile.Read(ref _persistedOffset);
        set => Volatile.Write(ref _persistedOffset, value);
    }

    /// <summary>When this process last wrote the cursor file (Stopwatch timestamp, 0 = not yet); guarded by the registration's lock.</summary>
    public long LastPersistTimestamp { get; set; }

    /// <summary>An instance is open; guarded by the spool's retention lock.</summary>
    public bool IsOpen { get; set; }
}

/// <summary>
/// The registered consumers of one spool, persisted as cursor files in <c>consumers/</c>. A cursor file's existence
/// is the registration. Not thread-safe: the spool serialises access under its retention lock.
/// </summary>
internal sealed class ConsumerRegistry
{
    private readonly string _folder;
    private readonly Dictionary<string, ConsumerRegistration> _byName = new(StringComparer.Ordinal);

    private ConsumerRegistry(string folder) => _folder = folder;

    public string Folder => _folder;

    public int Count => _byName.Count;

    /// <summary>
    /// Reads every cursor file. Damaged ones are returned by name (their registration waits for
    /// <see cref="RepairDamaged"/>, once the oldest retained offset is known).
    /// </summary>
    public static (ConsumerRegistry Registry, IReadOnlyList<string> Damaged) Load(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var temp in Directory.EnumerateFiles(folder, "*" + CursorFile.Extension + SpoolFormat.TempExtension))
        {
            File.Delete(temp);
        }

        var registry = new ConsumerRegistry(folder);
        var damaged = new List<string>();
        foreach (var path in Directory.EnumerateFiles(folder, "*" + CursorFile.Extension))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (!CursorFile.IsValidName(name))
            {
                continue;
            }

            if (CursorFile.Read(path) is { } offset)
            {
                registry._byName.Add(name, new ConsumerRegistration(name, offset));
            }
            else
            {
                damaged.Add(name);
            }
        }

        return (registry, damaged);
    }

    /// <summary>Highest committed offset of any consumer, or 0.</summary>
    public long MaxCommittedOffset => _byName.Count == 0 ? 0 : _byName.Values.Max(c => c.CommittedOffset);

    /// <summary>Lowest committed offset of any consumer, or null when none is registered.</summary>
    public IReadOnlyCollection<ConsumerRegistration> All => _byName.Values;

    public long? MinPersistedOffset => _byName.Count == 0 ? null : _byName.Values.Min(c => c.PersistedOffset);

    /// <summary>Registers damaged cursors again at <paramref name="offset"/> (replays rather than loses).</summary>
    public void RepairDamaged(IEnumerable<string> names, long offset)
    {
        foreach (var name in names)
        {
            CursorFile.Write(_folder, name, offset);
            _byName[name] = new ConsumerRegistration(name, offset);
        }
    }

    public ConsumerRegistration? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Persists a new registration at <paramref name="offset"/>.</summary>
    public ConsumerRegistration Register(string name, long offset)
    {
        CursorFile.Write(_folder, name, offset);
        var registration = new ConsumerRegistration(name, offset);
        _byName.Add(name, registration);
        return registration;
    }

    public void Remove(ConsumerRegistration registration)
    {
        CursorFile.Delete(_folder, registration.Name);
        _byName.Remove(registration.Name);
    }

    public IReadOnlyDictionary<string, long> Snapshot() =>
        _byName.Values.ToDictionary(c => c.Name, c => c.CommittedOffset, StringComparer.Ordinal);
}
