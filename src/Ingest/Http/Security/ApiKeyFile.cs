using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingest.Http.Security;

/// <summary>
/// The API keys' durable copy: one JSON document replaced atomically (temporary file, fsync, rename, fsync of the
/// folder), as <see cref="Registry.RegistryFile"/> keeps the registry, so a crash leaves the old or the new set and
/// never half of one. It holds only SHA-256 digests of the secrets; it is still created readable by its owner only,
/// because it names the tenants and scopes of every key.
/// </summary>
public sealed class ApiKeyFile
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public ApiKeyFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    /// <summary>What identifies the file's current version without reading it: a rename gives a new write time and usually a new length.</summary>
    public (DateTime WrittenAt, long Length) Stamp()
    {
        var info = new FileInfo(Path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }

    public IReadOnlyList<ApiKey> Load()
    {
        if (!File.Exists(Path))
        {
            return [];
        }
        using var stream = File.OpenRead(Path);
        var document = JsonSerializer.Deserialize<Document>(stream, s_json)
            ?? throw new InvalidDataException($"{Path}: empty API key file");
        if (document.Format != Document.CurrentFormat)
        {
            throw new InvalidDataException($"{Path}: API key file format {document.Format} is not {Document.CurrentFormat}");
        }
        return document.Keys;
    }

    public ValueTask SaveAsync(IEnumerable<ApiKey> keys, CancellationToken cancellationToken) =>
        Spool.DurableFile.ReplaceWithJsonAsync(Path, new Document(Document.CurrentFormat, keys.OrderBy(k => k.Id, StringComparer.Ordinal).ToList()),
            s_json, ownerOnly: true, cancellationToken);

    private sealed record Document(int Format, List<ApiKey> Keys)
    {
        public const int CurrentFormat = 1;
    }
}
