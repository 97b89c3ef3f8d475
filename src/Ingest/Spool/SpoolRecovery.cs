using System.Buffers;
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
/// <item>the last segment is scanned record by record. Bytes after the first invalid record are a torn tail when they
/// fit in one commit (<see cref="SpoolOptions.MaxBatchBytes"/>; only the last, unfinished commit can be torn) and are
/// cut off. More than that means durable data is damaged: the segment is sealed as it is, reported, and appends go to a
/// new segment;</item>
/// <item>offsets continue from the end of the log, or after the highest committed cursor if that lies further (so an
/// offset a consumer has seen is never given to another record).</item>
/// </list>
/// Nothing here throws on damage; only I/O failures (an unreadable folder) do.
/// </summary>
internal static class SpoolRecovery
{
    private const int ScanChunkBytes = 1024 * 1024;
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
            var validEnd = FindValidEnd(handle, length, tail.BaseOffset);
            var cut = length - validEnd;
            if (cut == 0)
            {
                active = tail;
            }
            else if (cut <= options.MaxBatchBytes)
            {
                RandomAccess.SetLength(handle, validEnd);
                RandomAccess.FlushToDisk(handle);
                truncation = new SpoolTruncation(tail.Path, SegmentFiles.LogicalOffset(tail.BaseOffset, validEnd), cut);
                segments[^1] = (tail, validEnd);
                active = tail;
            }
            else
            {
                corruptions.Add(new SpoolCorruption(
                    SpoolCorruptionKind.CorruptTail, tail.Path, SegmentFiles.LogicalOffset(tail.BaseOffset, validEnd), cut));
            }

            logEnd = SegmentFiles.LogicalOffset(tail.BaseOffset, segments[^1].Length);
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
    /// File position just after the last valid record of a segment: the first record that is invalid or runs past the
    /// end of the file starts the torn (or damaged) tail.
    /// </summary>
    internal static long FindValidEnd(SafeFileHandle handle, long fileLength, long baseOffset)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ScanChunkBytes);
        try
        {
            long position = SpoolFormat.SegmentHeaderBytes;
            while (position < fileLength)
            {
                var want = (int)Math.Min(buffer.Length, fileLength - position);
                var read = SegmentFiles.ReadFully(handle, buffer.AsSpan(0, want), position);
                var consumed = 0;
                while (true)
                {
                    var at = position + consumed;
                    var check = SpoolFormat.CheckRecord(
                        buffer.AsSpan(consumed, read - consumed), SegmentFiles.LogicalOffset(baseOffset, at), out var payloadLength);
                    if (check == RecordCheck.Valid)
                    {
                        consumed += SpoolFormat.RecordBytes(payloadLength);
                        continue;
                    }

                    if (check == RecordCheck.Invalid)
                    {
                        return at;
                    }

                    // The header or payload continues past what was read.
                    var recordEnd = at + SpoolFormat.RecordBytes(payloadLength);
                    if (recordEnd > fileLength || read < want)
                    {
                        return at; // runs past the end of the file: torn
                    }

                    if (consumed == 0)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent((int)(recordEnd - at));
                    }

                    break;
                }

                position += consumed;
            }

            return position;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
