using System.Buffers.Binary;

namespace Ingest.Spool;

/// <summary>
/// A consumer's persisted cursor: <c>consumers/{name}.cursor</c>, 24 bytes:
/// magic "INGCURSR" | committed offset u64 | CRC-32C of bytes 0..15 u32 | reserved u32.
/// Replaced atomically: write a temp file, fsync it, rename it over the old one, fsync the folder.
/// </summary>
internal static class CursorFile
{
    public const string Extension = ".cursor";
    private const int Bytes = 24;
    private const int MaxNameLength = 64;

    private static ReadOnlySpan<byte> Magic => "INGCURSR"u8;

    public static string PathFor(string folder, string name) => Path.Combine(folder, name + Extension);

    /// <summary>Names are 1..64 of [A-Za-z0-9._-], starting with a letter or digit (they become file names).</summary>
    public static bool IsValidName(string name)
    {
        if (name.Length is 0 or > MaxNameLength || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public static void Write(string folder, string name, long offset)
    {
        Span<byte> content = stackalloc byte[Bytes];
        content.Clear();
        Magic.CopyTo(content);
        BinaryPrimitives.WriteInt64LittleEndian(content[8..], offset);
        BinaryPrimitives.WriteUInt32LittleEndian(content[16..], Crc32C.Compute(content[..16]));

        var path = PathFor(folder, name);
        var temp = path + SpoolFormat.TempExtension;
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, content, 0);
            RandomAccess.FlushToDisk(handle);
        }

        File.Move(temp, path, overwrite: true);
        DirectorySync.Flush(folder);
    }

    /// <summary>The committed offset stored in <paramref name="path"/>, or null when the file is damaged.</summary>
    public static long? Read(string path)
    {
        Span<byte> content = stackalloc byte[Bytes];
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        if (RandomAccess.GetLength(handle) != Bytes || RandomAccess.Read(handle, content, 0) != Bytes)
        {
            return null;
        }

        var intact = content[..8].SequenceEqual(Magic)
            && BinaryPrimitives.ReadUInt32LittleEndian(content[16..]) == Crc32C.Compute(content[..16]);
        var offset = BinaryPrimitives.ReadInt64LittleEndian(content[8..]);
        return intact && offset >= 0 ? offset : null;
    }

    public static void Delete(string folder, string name)
    {
        File.Delete(PathFor(folder, name));
        DirectorySync.Flush(folder);
    }
}
