using System.Buffers;
using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Ingest.Spool;

/// <summary>
/// A named reader. Reads only durable data (below the writer's published end), straight from the segment files into
/// one pooled buffer per batch; payloads are slices of it. Every record's checksum is verified on read. A damaged
/// record is reported and skipped record-precisely: the reader resynchronises on the next record that validates
/// (<see cref="SegmentScanner"/>), or, when none follows, on the segment's sealed end or the durable end (always a
/// commit boundary). Bytes missing from a sealed segment are skipped to its end; bytes missing from the active segment
/// block the reader, reported once, until the writer seals the segment.
/// </summary>
internal sealed class FileSpoolConsumer : ISpoolConsumer
{
    private readonly FileSpool _spool;
    private readonly ConsumerRegistration _registration;
    private long _readOffset;
    private SafeFileHandle? _handle;
    private long _handleBase = -1;
    private long _reportedBlockedAt = -1;
    private bool _disposed;

    public FileSpoolConsumer(FileSpool spool, ConsumerRegistration registration)
    {
        _spool = spool;
        _registration = registration;
        _readOffset = registration.CommittedOffset;
    }

    public string Name => _registration.Name;

    public long CommittedOffset => _registration.CommittedOffset;

    /// <summary>Offset of the next record <see cref="ReadAsync"/> returns.</summary>
    public long ReadOffset => _readOffset;

    public async ValueTask<SpoolBatch> ReadAsync(int maxRecords, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ThrowIfDisposed();
            var advanced = _spool.Durable.Advanced;
            var durableEnd = _spool.Durable.Value;
            if (_readOffset < durableEnd)
            {
                if (_spool.ConsumerThreads is { } threads)
                {
                    await threads.SwitchTo(); // the read and what the caller does with it run on a consumer thread
                }

                var batch = ReadAvailable(maxRecords, durableEnd);
                if (batch.Count > 0)
                {
                    return batch;
                }
            }

            var remaining = maxWait == Timeout.InfiniteTimeSpan
                ? Timeout.InfiniteTimeSpan
                : maxWait - Stopwatch.GetElapsedTime(started);
            if (remaining != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero)
            {
                return Idle(maxWait);
            }

            await advanced.WaitAsync(remaining, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
            if (!advanced.IsCompleted)
            {
                return Idle(maxWait);
            }
        }
    }

    /// <summary>
    /// Caught up and nothing came while waiting: a good moment to write a cursor whose commits are only in memory. A
    /// look without waiting (a consumer filling a batch) is not idleness.
    /// </summary>
    private SpoolBatch Idle(TimeSpan waited)
    {
        if (waited != TimeSpan.Zero && _registration.PersistedOffset != _registration.CommittedOffset)
        {
            _spool.PersistPendingCursor(_registration);
        }
        return SpoolBatch.Empty;
    }

    public ValueTask CommitAsync(long nextOffset, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        _spool.Commit(_registration, nextOffset);
        _readOffset = Math.Max(_readOffset, nextOffset); // what is committed is never read again
        return ValueTask.CompletedTask;
    }

    public ConsumerThreadSwitch SwitchToConsumerThread() => _spool.ConsumerThreads?.SwitchTo() ?? default;

    public void Rewind()
    {
        ThrowIfDisposed();
        _readOffset = _registration.CommittedOffset;
    }

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _handle?.Dispose();
            _spool.Close(_registration);
        }

        return ValueTask.CompletedTask;
    }

    private SpoolBatch ReadAvailable(int maxRecords, long durableEnd)
    {
        while (_readOffset < durableEnd)
        {
            var segments = _spool.Segments.Current;
            var index = SegmentSet.IndexOf(segments, _readOffset);
            if (index < 0)
            {
                Skip(SpoolCorruptionKind.MissingData, segments[0].Path, segments[0].BaseOffset);
                continue;
            }

            var segment = segments[index];
            long? sealedEnd = index + 1 < segments.Length ? segments[index + 1].BaseOffset : null;
            var limit = Math.Min(sealedEnd ?? long.MaxValue, durableEnd);
            var batch = ReadSegment(segment, limit, maxRecords, out var resumeAt);
            if (batch.Count > 0)
            {
                return batch;
            }

            if (resumeAt >= 0)
            {
                Skip(SpoolCorruptionKind.CorruptRecord, segment.Path, resumeAt);
                continue;
            }

            if (sealedEnd is { } end)
            {
                Skip(SpoolCorruptionKind.MissingData, segment.Path, end);
                continue;
            }

            ReportBlocked(segment);
            break;
        }

        return SpoolBatch.Empty;
    }

    /// <summary>
    /// Reads the records at the read position up to <paramref name="limit"/>. With no record because the one at the
    /// read position is invalid, <paramref name="resumeAt"/> is where reading resumes (the next valid record, or the
    /// limit); -1 when bytes are missing from the file instead.
    /// </summary>
    private SpoolBatch ReadSegment(SegmentInfo segment, long limit, int maxRecords, out long resumeAt)
    {
        resumeAt = -1;
        var handle = HandleFor(segment);
        if (handle is null)
        {
            return SpoolBatch.Empty;
        }

        // Read about what the caller asked for, not a whole chunk: a consumer taking 256 records out of a large
        // backlog would otherwise read (and copy) up to MaxBatchBytes for each batch. A larger record grows the read.
        var want = (int)Math.Min(limit - _readOffset, Math.Min(_spool.ReadChunkBytes, Math.Max(64L * 1024, (long)maxRecords * 1024)));
        while (true)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(want);
            var read = SegmentFiles.ReadFully(
                handle, buffer.AsSpan(0, want), SegmentFiles.FilePosition(segment.BaseOffset, _readOffset));
            var records = new List<SpoolRecord>(Math.Min(maxRecords, 256));
            var consumed = 0;
            var grow = 0;
            while (records.Count < maxRecords && consumed < read)
            {
                var at = _readOffset + consumed;
                var check = SpoolFormat.CheckRecord(buffer.AsSpan(consumed, read - consumed), at, out var length);
                if (check == RecordCheck.Valid)
                {
                    var next = at + SpoolFormat.RecordBytes(length);
                    records.Add(new SpoolRecord(at, next, buffer.AsMemory(consumed + SpoolFormat.RecordHeaderBytes, length)));
                    consumed += SpoolFormat.RecordBytes(length);
                    continue;
                }

                var recordEnd = at + SpoolFormat.RecordBytes(length);
                if ((check == RecordCheck.Invalid || recordEnd > limit) && consumed == 0)
                {
                    // A record never runs past a sealed end or the durable end. Skip just this damage.
                    resumeAt = Resynchronise(handle, segment.BaseOffset, at, limit);
                }
                else if (read == want && consumed == 0)
                {
                    grow = (int)(recordEnd - at); // written with a larger MaxRecordBytes than today's read size
                }

                break;
            }

            if (records.Count > 0)
            {
                _readOffset += consumed;
                return new SpoolBatch(records, () => ArrayPool<byte>.Shared.Return(buffer));
            }

            ArrayPool<byte>.Shared.Return(buffer);
            if (grow == 0)
            {
                return SpoolBatch.Empty;
            }

            want = grow;
        }
    }

    /// <summary>The logical offset of the next valid record after the damaged one at <paramref name="at"/>, else <paramref name="limit"/>.</summary>
    private long Resynchronise(SafeFileHandle handle, long baseOffset, long at, long limit)
    {
        var next = SegmentScanner.FindNextRecord(
            handle, baseOffset, _spool.MaxRecordBytes, SegmentFiles.FilePosition(baseOffset, at) + 1, SegmentFiles.FilePosition(baseOffset, limit));
        return next < 0 ? limit : SegmentFiles.LogicalOffset(baseOffset, next);
    }

    private SafeFileHandle? HandleFor(SegmentInfo segment)
    {
        if (_handleBase == segment.BaseOffset && _handle is not null)
        {
            return _handle;
        }

        _handle?.Dispose();
        _handle = null;
        _handleBase = -1;
        try
        {
            _handle = SegmentFiles.OpenForRead(segment.Path);
        }
        catch (FileNotFoundException)
        {
            return null; // the caller reports the segment's range as missing data and skips it
        }

        _handleBase = segment.BaseOffset;
        return _handle;
    }

    private void Skip(SpoolCorruptionKind kind, string file, long to)
    {
        _spool.ReportReaderSkipped(Name, kind, file, _readOffset, to);
        _readOffset = to;
    }

    private void ReportBlocked(SegmentInfo segment)
    {
        if (_reportedBlockedAt != _readOffset)
        {
            _reportedBlockedAt = _readOffset;
            _spool.ReportReaderBlocked(Name, _readOffset, segment.Path);
        }
    }

    private void ThrowIfDisposed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ObjectDisposedException.ThrowIf(_spool.IsDisposed, _spool);
    }
}
