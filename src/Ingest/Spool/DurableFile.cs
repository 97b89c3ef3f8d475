using System.Text.Json;

namespace Ingest.Spool;

/// <summary>
/// A small file the node keeps across restarts (the vehicle registry, the API keys), replaced atomically: written to a
/// temporary file, fsynced, renamed over the old one, and the folder fsynced, so a crash leaves the old or the new
/// content and never half of one.
/// </summary>
internal static class DurableFile
{
    /// <summary>Writes <paramref name="document"/> as JSON to <paramref name="path"/>, replacing the file durably.</summary>
    /// <remarks><paramref name="ownerOnly"/>: create the file readable and writable by its owner only (0600), for secrets' hashes.</remarks>
    public static async ValueTask ReplaceWithJsonAsync<T>(string path, T document, JsonSerializerOptions json, bool ownerOnly,
        CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temp = path + ".tmp";
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 64 * 1024,
            Options = FileOptions.Asynchronous,
        };
        if (ownerOnly && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using (var stream = new FileStream(temp, options))
        {
            await JsonSerializer.SerializeAsync(stream, document, json, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(folder);
    }
}
