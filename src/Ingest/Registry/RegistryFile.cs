using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingest.Registry;

/// <summary>
/// The registry's durable copy: one JSON document on the node's local disk, replaced atomically (write a temporary
/// file, fsync it, rename it over the old one, fsync the folder), so a crash leaves the old or the new registry and
/// never half of one. Local rather than in ClickHouse or Redis: admission must work when storage is down, and a
/// login must never wait for a network round trip.
/// </summary>
public sealed class RegistryFile
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public RegistryFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    public IReadOnlyList<VehicleFiling> Load()
    {
        if (!File.Exists(Path))
        {
            return [];
        }
        using var stream = File.OpenRead(Path);
        var document = JsonSerializer.Deserialize<Document>(stream, s_json)
            ?? throw new InvalidDataException($"{Path}: empty registry file");
        if (document.Format != Document.CurrentFormat)
        {
            throw new InvalidDataException($"{Path}: registry format {document.Format} is not {Document.CurrentFormat}");
        }
        return document.Vehicles;
    }

    public ValueTask SaveAsync(IEnumerable<VehicleFiling> filings, CancellationToken cancellationToken) =>
        Spool.DurableFile.ReplaceWithJsonAsync(Path, new Document(Document.CurrentFormat, filings.OrderBy(f => f.Vin, StringComparer.Ordinal).ToList()),
            s_json, ownerOnly: false, cancellationToken);

    private sealed record Document(int Format, List<VehicleFiling> Vehicles)
    {
        public const int CurrentFormat = 1;
    }
}
