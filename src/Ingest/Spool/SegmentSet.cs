using Microsoft.Win32.SafeHandles;

namespace Ingest.Spool;

/// <summary>One segment file: its first logical offset and its path.</summary>
internal sealed record SegmentInfo(long BaseOffset, string Path);

/// <summary>
/// The segment files in offset order. Readers take a lock-free snapshot; the writer adds, retention detaches.
/// The last segment is the one the writer appends to; every earlier segment is sealed and ends where the next begins.
/// </summary>
internal sealed class SegmentSet
{
    private readonly Lock _lock = new();
    private SegmentInfo[] _segments;

    public SegmentSet(IEnumerable<SegmentInfo> segments)
    {
        _segments = segments.OrderBy(s => s.BaseOffset).ToArray();
        if (_segments.Length == 0)
        {
            throw new ArgumentException("A spool always has an active segment.", nameof(segments));
        }
    }

    public SegmentInfo[] Current => Volatile.Read(ref _segments);

    public long FirstOffset => Current[0].BaseOffset;

    public void Add(SegmentInfo segment)
    {
        lock (_lock)
        {
            var current = _segments;
            if (segment.BaseOffset <= current[^1].BaseOffset)
            {
                throw new InvalidOperationException($"Segment {segment.BaseOffset} does not follow {current[^1].BaseOffset}.");
            }

            Volatile.Write(ref _segments, [.. current, segment]);
        }
    }

    /// <summary>Removes from the set every sealed segment that ends at or before <paramref name="offset"/>.</summary>
    public IReadOnlyList<SegmentInfo> DetachEndingAtOrBefore(long offset)
    {
        lock (_lock)
        {
            var current = _segments;
            var count = 0;
            while (count + 1 < current.Length && current[count + 1].BaseOffset <= offset)
            {
                count++;
            }

            if (count == 0)
            {
                return [];
            }

            Volatile.Write(ref _segments, current[count..]);
            return current[..count];
        }
    }

    /// <summary>Index of the segment holding <paramref name="offset"/>, or -1 when it lies before the first one.</summary>
    public static int IndexOf(SegmentInfo[] segments, long offset)
    {
        int low = 0, high = segments.Length - 1, found = -1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found;
    }
}

/// <summary>Creating and opening segment files.</summary>
internal static class SegmentFiles
{
    /// <summary>
    /// Creates the segment file for <paramref name="baseOffset"/> atomically: header into a temp file, fsync, rename,
    /// fsync of the directory. A file under a segment name therefore always starts with a whole header.
    /// Returns the handle open for writing at <see cref="SpoolFormat.SegmentHeaderBytes"/>.
    /// The rename replaces a file of the same name: the base offset is always the end of the durable log, so such a
    /// file can only be one an earlier attempt created (and then failed to fsync the folder for) and holds no record.
    /// </summary>
    public static (SafeFileHandle Handle, SegmentInfo Segment) Create(string directory, long baseOffset)
    {
        var path = Path.Combine(directory, SpoolFormat.SegmentFileName(baseOffset));
        var temp = path + SpoolFormat.TempExtension;
        var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        try
        {
            Span<byte> header = stackalloc byte[SpoolFormat.SegmentHeaderBytes];
            SpoolFormat.WriteSegmentHeader(header, baseOffset);
            RandomAccess.Write(handle, header, 0);
            RandomAccess.FlushToDisk(handle);
            File.Move(temp, path, overwrite: true);
            DirectorySync.Flush(directory);
            return (handle, new SegmentInfo(baseOffset, path));
        }
        catch
        {
            handle.Dispose();
            DeleteQuietly(temp);
            throw;
        }
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the next open, which deletes every temp file.
        }
    }

    public static SafeFileHandle OpenForAppend(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);

    public static SafeFileHandle OpenForRead(string path) =>
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>Reads until <paramref name="buffer"/> is full or the file ends; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long filePosition)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = RandomAccess.Read(handle, buffer[total..], filePosition + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    public static long LogicalOffset(long baseOffset, long filePosition) =>
        baseOffset + filePosition - SpoolFormat.SegmentHeaderBytes;

    public static long FilePosition(long baseOffset, long logicalOffset) =>
        logicalOffset - baseOffset + SpoolFormat.SegmentHeaderBytes;
}
