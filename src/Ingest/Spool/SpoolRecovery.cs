using Microsoft.Win32.SafeHandles;

namespace Ingest.Spool;

/// <summary>The log as <see cref="SpoolRecovery"/> left it: segments in order, the active one open for appending.</summary>
internal sealed class RecoveredLog
{
    public required IReadOnlyList<SegmentInfo> Segments { get; init; }

    public required SegmentInfo ActiveSegment { get; init; }

    public required SafeFileHandle ActiveHandle { get; init; }

    public required long NextOffset { get; init; }

    public required long DiskBytes { get; init; }

    public required SpoolTruncation? Truncation { get; init; }

    public required IReadOnlyList<SpoolCorruption> Corruptions { get; init; }

    /// <summary>Where the recovered log ended when offsets had to resume further on (so none is reused); else null.</summary>
    public required long? ResumedAfterGapFrom { get; init; }
}

/// <summary>
/// Brings the segment files back to a consistent log at open:
/// <list type="bullet">
/// <item>leftover temp files of an interrupted segment creation are deleted;</item>
/// <item>a segment whose header is invalid is renamed to *.corrupt and reported (its records become unreadable);</item>
/// <item>sealed segments are checked to end where the next begins (cheap; their records are checked by readers);</item>
/// <item>the last segment is scanned record by record (see <see cref="ScanTail"/>). Only bytes after the last durable
/// commit, marked by the commit-end bit of its last record, can be an unfinished commit: they are cut from the first
/// invalid byte on. A damaged record before that point is acknowledged data gone bad: it is reported and skipped by
/// resynchronising on the next valid record, and everything valid around it is kept;</item>
/// <item>a last segment of format version 1 (no commit-end bits) is cut after its last valid record and sealed;
/// appends continue in a new version 2 segment;</item>
/// <item>offsets continue from the end of the log, or after the highest committed cursor if that lies further (so an
/// offset a consumer has seen is never given to another record).</item>
/// </list>
/// Nothing here throws on damage; only I/O failures (an unreadable folder) do.
/// </summary>
internal static class SpoolRecovery
{
    private const string QuarantineExtension = ".corrupt";

    public static RecoveredLog Run(string directory, SpoolOptions options, long minimumNextOffset)
    {
        DeleteTempFiles(directory);
        var corruptions = new List<SpoolCorruption>();
        var floor = minimumNextOffset;
        var segments = new List<(SegmentInfo Info, long Length)>();
        foreach (var path in Directory.EnumerateFiles(directory, "*" + SpoolFormat.SegmentExtension))
        {
            if (!SpoolFormat.TryParseSegmentFileName(Path.GetFileName(path), out var baseOffset))
            {
                continue;
            }

            var length = new FileInfo(path).Length;
            if (!HasValidHeader(path, baseOffset))
            {
                corruptions.Add(new SpoolCorruption(SpoolCorruptionKind.BadSegmentHeader, Quarantine(path), baseOffset, length));
                floor = Math.Max(floor, SegmentFiles.LogicalOffset(baseOffset, Math.Max(length, SpoolFormat.SegmentHeaderBytes)));
                continue;
            }

            segments.Add((new SegmentInfo(baseOffset, path), length));
        }

        segments.Sort((a, b) => a.Info.BaseOffset.CompareTo(b.Info.BaseOffset));
        ReportLengthMismatches(segments, corruptions);

        SpoolTruncation? truncation = null;
        SegmentInfo? active = null;
        SafeFileHandle? handle = null;
        long logEnd = 0;
        if (segments.Count > 0)
        {
            var (tail, length) = segments[^1];
            handle = SegmentFiles.OpenForAppend(tail.Path);
            var version = SegmentVersion(handle, tail.BaseOffset);
            var scan = ScanTail(handle, length, tail.BaseOffset, version, options.MaxRecordBytes);
            foreach (var (from, to) in scan.Damaged)
            {
                corruptions.Add(new SpoolCorruption(
                    SpoolCorruptionKind.CorruptRecord, tail.Path, SegmentFiles.LogicalOffset(tail.BaseOffset, from), to - from));
            }

            if (scan.CutAt < length)
            {
                RandomAccess.SetLength(handle, scan.CutAt);
                RandomAccess.FlushToDisk(handle);
                truncation = new SpoolTruncation(tail.Path, SegmentFiles.LogicalOffset(tail.BaseOffset, scan.CutAt), length - scan.CutAt);
                segments[^1] = (tail, scan.CutAt);
            }

            logEnd = SegmentFiles.LogicalOffset(tail.BaseOffset, scan.CutAt);
            if (version == SpoolFormat.Version)
            {
                active = tail;
            }
            else if (scan.CutAt == SpoolFormat.SegmentHeaderBytes)
            {
                // An empty old-format segment: the new segment takes its name.
                handle.Dispose();
                handle = null;
                File.Delete(tail.Path);
                segments.RemoveAt(segments.Count - 1);
            }
        }

        var nextOffset = Math.Max(logEnd, floor);
        long? resumedAfterGapFrom = nextOffset > logEnd ? logEnd : null;
        if (active is null || nextOffset > logEnd)
        {
            handle?.Dispose();
            (handle, active) = SegmentFiles.Create(directory, nextOffset);
            segments.Add((active, SpoolFormat.SegmentHeaderBytes));
        }

        return new RecoveredLog
        {
            Segments = segments.Select(s => s.Info).ToArray(),
            ActiveSegment = active,
            ActiveHandle = handle!,
            NextOffset = nextOffset,
            DiskBytes = segments.Sum(s => s.Length),
            Truncation = truncation,
            Corruptions = corruptions,
            ResumedAfterGapFrom = resumedAfterGapFrom,
        };
    }

    /// <summary>
    /// Scans the last segment from its header to <paramref name="fileLength"/>. A commit ends with a record carrying the
    /// commit-end bit (in version 1 every valid record counts as one, having no better mark). Damage is skipped by
    /// resynchronising on the next valid record. The cut starts at the first invalid byte after the last commit end:
    /// what follows the last durable commit is the only place an unfinished commit can have left bytes, and whatever
    /// valid records lie between that commit end and the first invalid byte are kept (a complete commit whose fsync had
    /// not returned, or whose last record was damaged: keeping them loses nothing, downstream idempotency removes a
    /// resent copy). Damaged regions before the cut are returned for reporting.
    /// </summary>
    internal static TailScan ScanTail(SafeFileHandle handle, long fileLength, long baseOffset, uint version, int maxRecordBytes)
    {
        using var scanner = new SegmentScanner(handle, baseOffset, maxRecordBytes);
        var damaged = new List<(long From, long To)>();
        long position = SpoolFormat.SegmentHeaderBytes, lastCommitEnd = position;
        while (position < fileLength)
        {
            if (scanner.IsValidRecord(position, fileLength, out var payloadLength, out var commitEnd))
            {
                position += SpoolFormat.RecordBytes(payloadLength);
                if (commitEnd || version < SpoolFormat.Version)
                {
                    lastCommitEnd = position;
                }

                continue;
            }

            var next = scanner.FindNextRecord(position + 1, fileLength);
            if (next < 0)
            {
                break;
            }

            damaged.Add((position, next));
            position = next;
        }

        var cutAt = position;
        foreach (var region in damaged)
        {
            if (region.From >= lastCommitEnd)
            {
                cutAt = region.From;
                break;
            }
        }

        return new TailScan(cutAt, damaged.Where(d => d.To <= cutAt).ToArray());
    }

    internal readonly record struct TailScan(long CutAt, IReadOnlyList<(long From, long To)> Damaged);

    private static uint SegmentVersion(SafeFileHandle handle, long baseOffset)
    {
        Span<byte> header = stackalloc byte[SpoolFormat.SegmentHeaderBytes];
        return SegmentFiles.ReadFully(handle, header, 0) == header.Length ? SpoolFormat.SegmentVersion(header, baseOffset) : 0;
    }

    private static void ReportLengthMismatches(List<(SegmentInfo Info, long Length)> segments, List<SpoolCorruption> corruptions)
    {
        for (var i = 0; i + 1 < segments.Count; i++)
        {
            var end = SegmentFiles.LogicalOffset(segments[i].Info.BaseOffset, segments[i].Length);
            var next = segments[i + 1].Info.BaseOffset;
            if (end != next)
            {
                corruptions.Add(new SpoolCorruption(
                    SpoolCorruptionKind.SegmentLengthMismatch, segments[i].Info.Path, Math.Min(end, next), Math.Abs(next - end)));
            }
        }
    }

    private static bool HasValidHeader(string path, long baseOffset)
    {
        Span<byte> header = stackalloc byte[SpoolFormat.SegmentHeaderBytes];
        using var handle = SegmentFiles.OpenForRead(path);
        return SegmentFiles.ReadFully(handle, header, 0) == header.Length && SpoolFormat.IsValidSegmentHeader(header, baseOffset);
    }

    /// <summary>Renames a damaged segment out of the way, keeping it for inspection; returns the new path.</summary>
    private static string Quarantine(string path)
    {
        var target = path + QuarantineExtension;
        for (var n = 1; File.Exists(target); n++)
        {
            target = path + QuarantineExtension + n;
        }

        File.Move(path, target);
        return target;
    }

    private static void DeleteTempFiles(string directory)
    {
        foreach (var temp in Directory.EnumerateFiles(directory, "*" + SpoolFormat.SegmentExtension + SpoolFormat.TempExtension))
        {
            File.Delete(temp);
        }
    }
}
