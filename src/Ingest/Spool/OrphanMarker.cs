using System.Globalization;
using System.Text;

namespace Ingest.Spool;

/// <summary>
/// <c>consumers/{name}.orphaned</c>: when a cursor was first found without a configured consumer (ISO 8601, UTC), so
/// the grace before it is dropped survives restarts instead of starting over at every open. Written like a cursor:
/// temp file, fsync, rename, fsync of the folder.
/// </summary>
internal static class OrphanMarker
{
    public const string Extension = ".orphaned";

    public static string PathFor(string folder, string name) => Path.Combine(folder, name + Extension);

    /// <summary>The remembered time, or null when there is no marker or it cannot be read (then it is written anew).</summary>
    public static DateTimeOffset? Read(string folder, string name)
    {
        var path = PathFor(folder, name);
        if (!File.Exists(path))
        {
            return null;
        }

        var text = File.ReadAllText(path, Encoding.ASCII).Trim();
        return DateTimeOffset.TryParseExact(text, "o", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since)
            ? since
            : null;
    }

    public static void Write(string folder, string name, DateTimeOffset since)
    {
        var path = PathFor(folder, name);
        var temp = path + SpoolFormat.TempExtension;
        var content = Encoding.ASCII.GetBytes(since.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture) + "\n");
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, content, 0);
            RandomAccess.FlushToDisk(handle);
        }

        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(folder);
    }

    /// <summary>Removes the marker if there is one; true when one was removed.</summary>
    public static bool Delete(string folder, string name)
    {
        var path = PathFor(folder, name);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        DirectorySync.Flush(folder);
        return true;
    }

    /// <summary>Consumer names that have a marker.</summary>
    public static IEnumerable<string> Names(string folder) =>
        Directory.EnumerateFiles(folder, "*" + Extension).Select(Path.GetFileNameWithoutExtension).OfType<string>();
}
