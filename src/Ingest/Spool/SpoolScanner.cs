using Microsoft.Win32.SafeHandles;

namespace Ingest.Spool;

/// <summary>
/// Reads a spool folder without opening the spool: for tools (verify, repair) that run beside a live server or
/// against a copy of its folder. It never takes <see cref="FileSpool.LockFileName"/>, writes nothing, truncates
/// nothing and registers no consumer, so the server's writer and retention go on undisturbed. Every record is checked
/// with <see cref="SpoolFormat.CheckRecord(ReadOnlySpan{byte}, long, out int)"/> (length and CRC-32C over length, offset and payload), exactly as the
/// server's own readers check it, and damage is skipped record by record with the readers' resynchronisation
/// (<see cref="SegmentScanner"/>).
/// </summary>
/// <remarks>
/// What a scan beside a live writer sees: segment files are listed once when <see cref="Read"/> starts. A segment the
/// server deletes before the scan opens it is reported as <see cref="SpoolCorruptionKind.MissingData"/>; one deleted
/// after that stays readable (the open handle keeps the file). The last listed segment is read up to its current
/// length; a record at its end that is incomplete or fails its check is the writer's commit in progress (or a torn
/// tail the next open cuts off), so the scan stops there and reports nothing. Callers who need only acknowledged
/// records stop at a consumer's cursor (<see cref="ReadCursor"/>), which never passes the durable end.
/// </remarks>
public sealed class SpoolScanner
{
    private const int ChunkBytes = 1024 * 1024;

    /// <summary>Largest payload taken for a record while resynchronising after damage: the server's default MaxRecordBytes.</summary>
    private const int ResyncMaxPayloadBytes = 1024 * 1024;

    private readonly List<SpoolCorruption> _damage = [];

    private SpoolScanner(string directory) => Directory = directory;

    /// <summary>The spool folder (absolute).</summary>
    public string Directory { get; }

    /// <summary>Regions found unreadable by the scans so far (damaged records, bad headers, vanished segments).</summary>
    public IReadOnlyList<SpoolCorruption> Damage => _damage;

    /// <summary>Opens <paramref name="directory"/> for reading; throws <see cref="DirectoryNotFoundException"/> when it does not exist.</summary>
    public static SpoolScanner Open(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"The spool folder {full} does not exist.");
        }
        return new SpoolScanner(full);
    }

    /// <summary>Base offset of the oldest segment file (the oldest retained record), or null when the folder holds none.</summary>
    public long? FirstOffset => ListSegments().Select(s => (long?)s.BaseOffset).FirstOrDefault();

    /// <summary>
    /// The committed offset in a consumer's cursor file (<c>consumers/{name}.cursor</c>): every record before it was
    /// delivered by that consumer. Null when the consumer never committed or the file is damaged.
    /// </summary>
    public long? ReadCursor(string consumer)
    {
        if (!CursorFile.IsValidName(consumer))
        {
            throw new ArgumentException($"'{consumer}' is not a spool consumer name.", nameof(consumer));
        }
        var path = CursorFile.PathFor(Path.Combine(Directory, FileSpool.ConsumerFolderName), consumer);
        try
        {
            return CursorFile.Read(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The valid records whose offset lies in [<paramref name="fromOffset"/>, <paramref name="toOffset"/>), in offset
    /// order. A record's payload is valid until the enumeration moves on (copy it to keep it). Unreadable regions are
    /// skipped and added to <see cref="Damage"/>.
    /// </summary>
    public IEnumerable<SpoolRecord> Read(long fromOffset, long toOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromOffset);
        var segments = ListSegments();
        byte[] buffer = new byte[ChunkBytes];
        for (int i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            long? sealedEnd = i + 1 < segments.Count ? segments[i + 1].BaseOffset : null;
            if (segment.BaseOffset >= toOffset || sealedEnd <= fromOffset)
            {
                continue;
            }

            SafeFileHandle handle;
            try
            {
                handle = SegmentFiles.OpenForRead(segment.Path);
            }
            catch (FileNotFoundException)
            {
                // Retention deleted it after the listing: its records are gone from this node.
                ReportDamage(SpoolCorruptionKind.MissingData, segment.Path, segment.BaseOffset, sealedEnd);
                continue;
            }

            using (handle)
            {
                var fileLength = RandomAccess.GetLength(handle);
                if (!HasValidHeader(handle, segment.BaseOffset))
                {
                    ReportDamage(SpoolCorruptionKind.BadSegmentHeader, segment.Path, segment.BaseOffset, sealedEnd);
                    continue;
                }

                // Records are framed from the segment's start: a read position inside a segment is not known to be a
                // record boundary, so records before fromOffset are checked and passed over.
                long position = SpoolFormat.SegmentHeaderBytes;
                long bufferPosition = 0;
                int buffered = 0;
                bool endOfFile = false;
                var limit = Math.Min(sealedEnd ?? long.MaxValue, toOffset);
                while (position < fileLength)
                {
                    var offset = SegmentFiles.LogicalOffset(segment.BaseOffset, position);
                    if (offset >= limit)
                    {
                        break;
                    }
                    var inBuffer = position - bufferPosition;
                    var check = Check(buffer, inBuffer, buffered, offset, out var length);
                    if (check == RecordCheck.NeedMoreBytes)
                    {
                        if (inBuffer == 0 && (endOfFile || buffered == fileLength - position))
                        {
                            check = RecordCheck.Invalid; // the file ends inside the record
                        }
                        else
                        {
                            if (SpoolFormat.RecordBytes(length) > buffer.Length)
                            {
                                buffer = new byte[SpoolFormat.RecordBytes(length)];
                            }
                            var want = (int)Math.Min(buffer.Length, fileLength - position);
                            bufferPosition = position;
                            buffered = SegmentFiles.ReadFully(handle, buffer.AsSpan(0, want), position);
                            endOfFile = buffered < want; // the file shrank under us
                            continue;
                        }
                    }

                    if (check == RecordCheck.Invalid)
                    {
                        // Resynchronise exactly as the server's readers do (SegmentScanner): the next record that
                        // validates at its own place follows the damage, so only the damaged bytes are lost.
                        var searchLimit = sealedEnd is { } sealedAtOffset
                            ? Math.Min(fileLength, SegmentFiles.FilePosition(segment.BaseOffset, sealedAtOffset))
                            : fileLength;
                        var resumeAt = SegmentScanner.FindNextRecord(handle, segment.BaseOffset, ResyncMaxPayloadBytes, position + 1, searchLimit);
                        if (resumeAt < 0)
                        {
                            if (sealedEnd is { } end)
                            {
                                ReportDamage(SpoolCorruptionKind.CorruptRecord, segment.Path, offset, end);
                            }
                            break; // in the last segment: the commit in progress, or a torn tail the next open cuts
                        }

                        ReportDamage(SpoolCorruptionKind.CorruptRecord, segment.Path, offset, SegmentFiles.LogicalOffset(segment.BaseOffset, resumeAt));
                        position = resumeAt;
                        bufferPosition = position;
                        buffered = 0; // read the window again from the record found
                        continue;
                    }

                    var next = offset + SpoolFormat.RecordBytes(length);
                    if (offset >= fromOffset)
                    {
                        var start = (int)inBuffer + SpoolFormat.RecordHeaderBytes;
                        yield return new SpoolRecord(offset, next, buffer.AsMemory(start, length));
                    }
                    position += SpoolFormat.RecordBytes(length);
                }

                if (sealedEnd is { } sealedAt && position >= fileLength && SegmentFiles.LogicalOffset(segment.BaseOffset, fileLength) < sealedAt)
                {
                    ReportDamage(SpoolCorruptionKind.MissingData, segment.Path, SegmentFiles.LogicalOffset(segment.BaseOffset, fileLength), sealedAt);
                }
            }
        }
    }

    /// <summary>Checks the record at <paramref name="inBuffer"/>; anything outside the buffered bytes needs more bytes.</summary>
    private static RecordCheck Check(byte[] buffer, long inBuffer, int buffered, long offset, out int length)
    {
        var available = inBuffer >= 0 && inBuffer <= buffered ? buffer.AsSpan((int)inBuffer, buffered - (int)inBuffer) : default;
        return SpoolFormat.CheckRecord(available, offset, out length);
    }

    private static bool HasValidHeader(SafeFileHandle handle, long baseOffset)
    {
        Span<byte> header = stackalloc byte[SpoolFormat.SegmentHeaderBytes];
        return SegmentFiles.ReadFully(handle, header, 0) == header.Length && SpoolFormat.IsValidSegmentHeader(header, baseOffset);
    }

    private void ReportDamage(SpoolCorruptionKind kind, string file, long from, long? to)
    {
        var damage = new SpoolCorruption(kind, file, from, to is { } end ? end - from : 0);
        if (!_damage.Contains(damage))
        {
            _damage.Add(damage); // a region met again by a second scan is reported once
        }
    }

    private List<SegmentInfo> ListSegments()
    {
        var segments = new List<SegmentInfo>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + SpoolFormat.SegmentExtension))
        {
            if (SpoolFormat.TryParseSegmentFileName(Path.GetFileName(path), out var baseOffset))
            {
                segments.Add(new SegmentInfo(baseOffset, path));
            }
        }
        segments.Sort((a, b) => a.BaseOffset.CompareTo(b.BaseOffset));
        return segments;
    }
}
