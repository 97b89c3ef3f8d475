using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Spool;

/// <summary>
/// The durable spool: a log of checksummed records in segment files, one group-committing writer thread, and named
/// consumers with persisted cursors. Open it with <see cref="Open"/>; see <see cref="SpoolFormat"/> for the layout and
/// <see cref="SpoolRecovery"/> for what happens after a crash.
/// </summary>
/// <remarks>
/// Why our own log rather than FasterLog (Microsoft.FASTER.Core 2.6.5), although a proven library was preferred:
/// the loss contract rests on three properties: a commit is an fsync, a torn tail left by a crash is detected by a
/// per-record checksum and cut, and an offset is never reused for another record. FasterLog's commit goes through its
/// device and commit-manager layers (commit metadata files, page- and sector-aligned writes, logical addresses with
/// gaps at page ends), so each property would have to be proven against that machinery, re-proven at every upgrade,
/// and its addresses are not the contiguous byte offsets consumers use as idempotency keys. What the spool needs is
/// small enough to own and test directly: one vectored write plus <see cref="RandomAccess.FlushToDisk"/> (fsync) per
/// group commit, CRC-32C over (length, offset, payload) per record, a tail scan at open, temp-file-then-rename for
/// segment creation and cursors, with fsync of the folder. Each piece is covered by tests, including a child process
/// killed with SIGKILL while appending (tests/SpoolCrashHost); strace of that child shows one pwritev and one fsync
/// per commit.
/// </remarks>
public sealed class FileSpool : IFrameSpool
{
    public const string ConsumerFolderName = "consumers";

    private readonly SpoolOptions _options;
    private readonly ILogger _logger;
    private readonly SpoolMetrics _metrics;
    private readonly SpoolWriter _writer;
    private readonly ConsumerRegistry _consumers;
    private readonly Lock _retentionLock = new();
    private readonly TimeProvider _time;
    private readonly ITimer _housekeeping;

    // Guarded by _retentionLock: when each sealed segment was first seen consumed by every cursor, and its size.
    private readonly Dictionary<long, (DateTimeOffset At, long Bytes)> _consumedAt = [];

    // Guarded by _retentionLock: cursors of consumers that are not configured, and since when.
    private readonly Dictionary<string, DateTimeOffset> _orphans = new(StringComparer.Ordinal);
    private long _corruptionEvents;
    private int _disposed;

    /// <summary>How often retention margins and orphan graces are checked besides cursor commits and segment rolls.</summary>
    internal static readonly TimeSpan HousekeepingInterval = TimeSpan.FromSeconds(30);

    private FileSpool(
        SpoolOptions options,
        string directory,
        ConsumerRegistry consumers,
        IReadOnlyList<string> damagedCursors,
        RecoveredLog recovered,
        long recoveryStarted,
        ILogger logger,
        IMeterFactory? meterFactory,
        TimeProvider time,
        IReadOnlyCollection<string>? configuredConsumers,
        SpoolFileIo io)
    {
        _options = options;
        _logger = logger;
        _consumers = consumers;
        _time = time;
        Directory = directory;
        Segments = new SegmentSet(recovered.Segments);
        Durable = new DurableEnd(recovered.NextOffset);

        var corruptions = recovered.Corruptions.ToList();
        if (damagedCursors.Count > 0)
        {
            consumers.RepairDamaged(damagedCursors, Segments.FirstOffset);
            corruptions.AddRange(damagedCursors.Select(name =>
                new SpoolCorruption(SpoolCorruptionKind.BadCursorFile, CursorFile.PathFor(consumers.Folder, name), -1, 0)));
        }

        _corruptionEvents = corruptions.Count;
        _metrics = new SpoolMetrics(meterFactory, GetStats);
        _writer = new SpoolWriter(options, directory, Segments, Durable, recovered, _metrics, logger, OnSegmentSealed, io, time);
        lock (_retentionLock)
        {
            if (configuredConsumers is not null)
            {
                FindOrphans(configuredConsumers);
            }

            TrimSegments();
        }

        Recovery = new SpoolRecoveryReport(
            Segments.Current.Length,
            Segments.FirstOffset,
            recovered.NextOffset,
            recovered.Truncation,
            corruptions,
            Stopwatch.GetElapsedTime(recoveryStarted));
        LogRecovery(recovered.ResumedAfterGapFrom);
        Housekeep();
        _housekeeping = time.CreateTimer(_ => Housekeep(), null, HousekeepingInterval, HousekeepingInterval);
        _writer.Start();
    }

    /// <summary>The spool folder (absolute).</summary>
    public string Directory { get; }

    /// <summary>What recovery found and did at open.</summary>
    public SpoolRecoveryReport Recovery { get; }

    internal SegmentSet Segments { get; }

    internal DurableEnd Durable { get; }

    internal int ReadChunkBytes => _options.MaxBatchBytes;

    /// <summary>The largest payload a reader treats as plausible while resynchronising after damage.</summary>
    internal int MaxRecordBytes => _options.MaxRecordBytes;

    internal TimeSpan ConsumerLinger => _options.ConsumerLinger;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Opens the spool in <see cref="SpoolOptions.Directory"/>, creating it when missing, and recovers it after a crash
    /// (see <see cref="Recovery"/>). Damage is reported, never thrown; invalid options and I/O failures throw.
    /// </summary>
    /// <param name="options">The spool's options; copied and validated.</param>
    /// <param name="logger">Where recovery, retention and disk errors are logged (ids 1100-1199).</param>
    /// <param name="meterFactory">Creates the "Ingest.Spool" meter; null: a meter of its own.</param>
    /// <param name="timeProvider">The clock for retention margins, orphan graces and write backoff; default the system clock.</param>
    /// <param name="configuredConsumers">
    /// The consumer names the host runs. Every other cursor on disk is orphaned: warned about at open, listed in the
    /// stats, and dropped after <see cref="SpoolOptions.OrphanedCursorGrace"/>. Null (tools, tests) means unknown: no
    /// cursor is ever treated as orphaned.
    /// </param>
    public static FileSpool Open(
        SpoolOptions options,
        ILogger<FileSpool>? logger = null,
        IMeterFactory? meterFactory = null,
        TimeProvider? timeProvider = null,
        IReadOnlyCollection<string>? configuredConsumers = null) =>
        OpenWith(options, logger, meterFactory, timeProvider, configuredConsumers, SpoolFileIo.Default);

    /// <summary>As <see cref="Open"/>, with the file operations the writer uses (tests inject failures there).</summary>
    internal static FileSpool OpenWith(
        SpoolOptions options,
        ILogger<FileSpool>? logger,
        IMeterFactory? meterFactory,
        TimeProvider? timeProvider,
        IReadOnlyCollection<string>? configuredConsumers,
        SpoolFileIo io)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Copy();
        options.ThrowIfInvalid();
        var started = Stopwatch.GetTimestamp();
        var directory = Path.GetFullPath(options.Directory);
        System.IO.Directory.CreateDirectory(directory);
        var exclusive = AcquireExclusive(directory);
        try
        {
            var (consumers, damagedCursors) = ConsumerRegistry.Load(Path.Combine(directory, ConsumerFolderName));
            var recovered = SpoolRecovery.Run(directory, options, consumers.MaxCommittedOffset);
            var spool = new FileSpool(
                options, directory, consumers, damagedCursors, recovered, started, (ILogger?)logger ?? NullLogger.Instance, meterFactory,
                timeProvider ?? TimeProvider.System, configuredConsumers, io);
            spool._exclusive = exclusive;
            return spool;
        }
        catch
        {
            exclusive.Dispose();
            throw;
        }
    }

    /// <summary>Name of the file whose lock keeps a second process (or instance) from opening the same spool.</summary>
    public const string LockFileName = "spool.lock";

    private FileStream? _exclusive;

    /// <summary>
    /// Two writers on one spool would interleave offsets and truncate each other's "torn" tails: the lock (an flock on
    /// Unix, released by the kernel when a process dies) makes the second one fail at start with a clear message.
    /// </summary>
    private static FileStream AcquireExclusive(string directory)
    {
        var path = Path.Combine(directory, LockFileName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new IOException($"The spool in {directory} is already open in another process or instance ({path} is locked). " +
                "Each ingest node needs its own Spool:Directory.", ex);
        }
    }

    public ValueTask<SpoolAppendResult> AppendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SpoolAppendResult>(cancellationToken);
        }

        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (payload.IsEmpty || payload.Length > _options.MaxRecordBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(payload), payload.Length, $"A spool record holds 1 to {_options.MaxRecordBytes} bytes.");
        }

        if (_writer.WouldExceedBudget(payload.Length))
        {
            // Consumed segments kept only for the retention margin give way before any append is refused.
            while (ReclaimRetained() && _writer.WouldExceedBudget(payload.Length))
            {
            }
        }

        while (true)
        {
            switch (_writer.TryEnqueue(payload.Span, out var offset, out var wait))
            {
                case EnqueueOutcome.Enqueued:
                    return AwaitCommitAsync(wait, offset, cancellationToken);
                case EnqueueOutcome.Full when ReclaimRetained():
                    continue;
                case EnqueueOutcome.Full:
                    return ValueTask.FromResult(new SpoolAppendResult(SpoolAppendStatus.Full, -1));
                case EnqueueOutcome.Unavailable:
                    return ValueTask.FromResult(new SpoolAppendResult(SpoolAppendStatus.Unavailable, -1));
                default:
                    return AppendWhenBatchTakenAsync(payload, wait, cancellationToken);
            }
        }
    }

    public ISpoolConsumer OpenConsumer(string name)
    {
        ThrowIfInvalidName(name);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        lock (_retentionLock)
        {
            var registration = _consumers.Find(name);
            if (registration is null)
            {
                registration = _consumers.Register(name, Segments.FirstOffset);
                SpoolLog.ConsumerRegistered(_logger, name, registration.CommittedOffset);
            }
            else if (registration.IsOpen)
            {
                throw new InvalidOperationException($"Spool consumer '{name}' is already open.");
            }
            else if (_orphans.Remove(name))
            {
                OrphanMarker.Delete(_consumers.Folder, name);
                SpoolLog.OrphanedConsumerAdopted(_logger, name);
            }

            registration.IsOpen = true;
            return new FileSpoolConsumer(this, registration);
        }
    }

    public SpoolConsumerRemoval RemoveConsumer(string name)
    {
        ThrowIfInvalidName(name);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        lock (_retentionLock)
        {
            var registration = _consumers.Find(name);
            if (registration is null)
            {
                return SpoolConsumerRemoval.NotFound;
            }

            if (registration.IsOpen)
            {
                return SpoolConsumerRemoval.InUse;
            }

            _consumers.Remove(registration);
            if (_orphans.Remove(name))
            {
                OrphanMarker.Delete(_consumers.Folder, name);
            }

            SpoolLog.ConsumerRemoved(_logger, name, registration.CommittedOffset);
            TrimSegments();
            return SpoolConsumerRemoval.Removed;
        }
    }

    public SpoolStats GetStats()
    {
        IReadOnlyDictionary<string, long> consumers;
        long retained;
        SpoolOrphanedConsumer[] orphans;
        lock (_retentionLock)
        {
            consumers = _consumers.Snapshot();
            retained = RetainedBytesLocked();
            orphans = _orphans
                .Select(o => new SpoolOrphanedConsumer(o.Key, consumers.GetValueOrDefault(o.Key), o.Value, o.Value + _options.OrphanedCursorGrace))
                .OrderBy(o => o.Name, StringComparer.Ordinal)
                .ToArray();
        }

        var used = _writer.UsedBytes;
        var write = _writer.State;
        return new SpoolStats(
            Segments.FirstOffset,
            Durable.Value,
            used,
            _options.DiskBudgetBytes,
            // Retained segments give way at the budget, so they do not count towards "near".
            NearBudget: used - retained >= _options.DiskBudgetBytes * _options.NearBudgetRatio,
            Full: _writer.Rejecting,
            consumers,
            _writer.Faulted,
            Interlocked.Read(ref _corruptionEvents))
        {
            WriteUnavailable = write.Refusing,
            WriteError = write.Error,
            WriteRetryAt = write.RetryAt,
            RetainedBytes = retained,
            OrphanedConsumers = orphans,
        };
    }

    /// <summary>
    /// Refuses new appends, commits every queued one (an append still waiting for room in a full batch may instead fail
    /// with <see cref="ObjectDisposedException"/>, unacknowledged), wakes waiting readers, and closes the files.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _housekeeping.DisposeAsync().ConfigureAwait(false);
        await _writer.StopAsync().ConfigureAwait(false);
        ConsumerRegistration[] registrations;
        lock (_retentionLock)
        {
            registrations = [.. _consumers.All];
        }
        foreach (var registration in registrations)
        {
            PersistPendingCursor(registration);
        }
        // The operator's proof that a stop lost nothing: where the spool ends and where each consumer will resume.
        SpoolLog.Closed(_logger, Durable.Value, registrations.Length,
            string.Join(", ", registrations.Select(r => $"{r.Name}={r.PersistedOffset}")));
        Durable.Close();
        _metrics.Dispose();
        _exclusive?.Dispose();
    }

    internal void Commit(ConsumerRegistration registration, long nextOffset)
    {
        var committed = registration.CommittedOffset;
        if (nextOffset == committed)
        {
            return;
        }

        if (nextOffset < committed)
        {
            throw new ArgumentOutOfRangeException(
                nameof(nextOffset), nextOffset, $"Spool consumer '{registration.Name}' already committed {committed}; cursors only move forward.");
        }

        var durableEnd = Durable.Value;
        if (nextOffset > durableEnd)
        {
            throw new ArgumentOutOfRangeException(
                nameof(nextOffset), nextOffset, $"Offset {nextOffset} lies beyond the durable end of the spool ({durableEnd}).");
        }

        registration.CommittedOffset = nextOffset;
        lock (registration)
        {
            if (registration.LastPersistTimestamp == 0 || Stopwatch.GetElapsedTime(registration.LastPersistTimestamp) >= _options.CursorPersistInterval)
            {
                PersistCursor(registration);
            }
        }
    }

    /// <summary>Writes a cursor whose in-memory commit is ahead of its file (the consumer is idle or closing).</summary>
    internal void PersistPendingCursor(ConsumerRegistration registration)
    {
        lock (registration)
        {
            PersistCursor(registration);
        }
    }

    /// <summary>Caller holds the registration's lock.</summary>
    private void PersistCursor(ConsumerRegistration registration)
    {
        var offset = registration.CommittedOffset;
        if (offset == registration.PersistedOffset)
        {
            return;
        }
        // Persist first, then release segments: after a crash the cursor never points into a deleted segment.
        CursorFile.Write(_consumers.Folder, registration.Name, offset);
        registration.LastPersistTimestamp = Stopwatch.GetTimestamp();
        lock (_retentionLock)
        {
            registration.PersistedOffset = offset;
            TrimSegments();
        }
    }

    internal void Close(ConsumerRegistration registration)
    {
        PersistPendingCursor(registration);
        lock (_retentionLock)
        {
            registration.IsOpen = false;
        }
    }

    internal void ReportReaderSkipped(string consumer, SpoolCorruptionKind kind, string file, long from, long to)
    {
        Interlocked.Increment(ref _corruptionEvents);
        SpoolLog.ReaderSkipped(_logger, consumer, kind, file, from, to);
    }

    internal void ReportReaderBlocked(string consumer, long offset, string file)
    {
        Interlocked.Increment(ref _corruptionEvents);
        SpoolLog.ReaderBlocked(_logger, consumer, offset, file);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<SpoolAppendResult> AwaitCommitAsync(Task committed, long offset, CancellationToken cancellationToken)
    {
        try
        {
            if (cancellationToken.CanBeCanceled)
            {
                await committed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await committed.ConfigureAwait(false);
            }
        }
        catch (SpoolUnavailableException)
        {
            return new SpoolAppendResult(SpoolAppendStatus.Unavailable, -1); // the commit failed: not acknowledged
        }

        return new SpoolAppendResult(SpoolAppendStatus.Committed, offset);
    }

    /// <summary>The slow path: the pending batch was full (or must roll to a new segment) when we came.</summary>
    private async ValueTask<SpoolAppendResult> AppendWhenBatchTakenAsync(
        ReadOnlyMemory<byte> payload, Task batchTaken, CancellationToken cancellationToken)
    {
        while (true)
        {
            await batchTaken.WaitAsync(cancellationToken).ConfigureAwait(false);
            switch (_writer.TryEnqueue(payload.Span, out var offset, out var wait))
            {
                case EnqueueOutcome.Enqueued:
                    return await AwaitCommitAsync(wait, offset, cancellationToken).ConfigureAwait(false);
                case EnqueueOutcome.Full when ReclaimRetained():
                    batchTaken = Task.CompletedTask;
                    break;
                case EnqueueOutcome.Full:
                    return new SpoolAppendResult(SpoolAppendStatus.Full, -1);
                case EnqueueOutcome.Unavailable:
                    return new SpoolAppendResult(SpoolAppendStatus.Unavailable, -1);
                default:
                    batchTaken = wait;
                    break;
            }
        }
    }

    private void OnSegmentSealed()
    {
        lock (_retentionLock)
        {
            TrimSegments();
        }
    }

    /// <summary>
    /// Deletes sealed segments every registered consumer's cursor file is past, once they are also past the retention
    /// margin: consumed for <see cref="SpoolOptions.RetainAfterConsumed"/>, and with at least
    /// <see cref="SpoolOptions.RetainAfterConsumedBytes"/> consumed bytes left without them. No consumer: keep
    /// everything. Caller holds <see cref="_retentionLock"/>.
    /// </summary>
    private void TrimSegments()
    {
        if (_consumers.MinPersistedOffset is not { } lowest)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var segments = Segments.Current;
        var deletable = 0;
        for (var i = 0; i + 1 < segments.Length && segments[i + 1].BaseOffset <= lowest; i++)
        {
            if (!_consumedAt.TryGetValue(segments[i].BaseOffset, out var consumed))
            {
                consumed = (now, FileLength(segments[i]));
                _consumedAt.Add(segments[i].BaseOffset, consumed);
            }

            if (deletable == i
                && now - consumed.At >= _options.RetainAfterConsumed
                && lowest - segments[i + 1].BaseOffset >= _options.RetainAfterConsumedBytes)
            {
                deletable = i + 1;
            }
        }

        if (deletable > 0)
        {
            DeleteSegments(Segments.DetachEndingAtOrBefore(segments[deletable].BaseOffset), reclaimed: false);
        }
    }

    /// <summary>
    /// At the disk budget: deletes the oldest sealed segment if every cursor is past it, retention margin or not.
    /// True when one was deleted (the caller tries its append again).
    /// </summary>
    private bool ReclaimRetained()
    {
        lock (_retentionLock)
        {
            var segments = Segments.Current;
            if (segments.Length < 2 || _consumers.MinPersistedOffset is not { } lowest || segments[1].BaseOffset > lowest)
            {
                return false;
            }

            DeleteSegments(Segments.DetachEndingAtOrBefore(segments[1].BaseOffset), reclaimed: true);
            return true;
        }
    }

    private void DeleteSegments(IReadOnlyList<SegmentInfo> detached, bool reclaimed)
    {
        foreach (var segment in detached)
        {
            _consumedAt.Remove(segment.BaseOffset);
            try
            {
                var bytes = new FileInfo(segment.Path).Length;
                File.Delete(segment.Path);
                _writer.Release(bytes);
                if (reclaimed)
                {
                    SpoolLog.RetainedSegmentReclaimed(_logger, segment.Path);
                }
                else
                {
                    SpoolLog.SegmentDeleted(_logger, segment.Path);
                }
            }
            catch (IOException ex)
            {
                SpoolLog.SegmentDeleteFailed(_logger, ex, segment.Path);
            }
        }
    }

    /// <summary>Bytes of sealed segments every cursor is past that are still on disk. Caller holds the retention lock.</summary>
    private long RetainedBytesLocked()
    {
        if (_consumers.MinPersistedOffset is not { } lowest)
        {
            return 0;
        }

        long bytes = 0;
        var segments = Segments.Current;
        for (var i = 0; i + 1 < segments.Length && segments[i + 1].BaseOffset <= lowest; i++)
        {
            if (_consumedAt.TryGetValue(segments[i].BaseOffset, out var consumed))
            {
                bytes += consumed.Bytes;
            }
        }

        return bytes;
    }

    private static long FileLength(SegmentInfo segment)
    {
        try
        {
            return new FileInfo(segment.Path).Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Marks every cursor whose consumer is not configured as orphaned (remembering since when across restarts) and
    /// forgets markers of consumers that are configured again. Caller holds the retention lock.
    /// </summary>
    private void FindOrphans(IReadOnlyCollection<string> configured)
    {
        var configuredSet = configured.ToHashSet(StringComparer.Ordinal);
        var folder = _consumers.Folder;
        foreach (var name in OrphanMarker.Names(folder).ToArray())
        {
            if (configuredSet.Contains(name) || _consumers.Find(name) is null)
            {
                OrphanMarker.Delete(folder, name);
            }
        }

        foreach (var registration in _consumers.All.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            if (configuredSet.Contains(registration.Name))
            {
                continue;
            }

            var since = OrphanMarker.Read(folder, registration.Name);
            if (since is null)
            {
                since = _time.GetUtcNow();
                OrphanMarker.Write(folder, registration.Name, since.Value);
            }

            _orphans[registration.Name] = since.Value;
            SpoolLog.OrphanedConsumer(
                _logger, registration.Name, registration.CommittedOffset, since.Value, since.Value + _options.OrphanedCursorGrace);
        }
    }

    /// <summary>Drops orphaned cursors whose grace is over, then applies retention (margins run out with time too).</summary>
    private void Housekeep()
    {
        if (IsDisposed)
        {
            return;
        }

        lock (_retentionLock)
        {
            var now = _time.GetUtcNow();
            foreach (var (name, since) in _orphans.ToArray())
            {
                if (now - since < _options.OrphanedCursorGrace || _consumers.Find(name) is not { IsOpen: false } registration)
                {
                    continue;
                }

                try
                {
                    _consumers.Remove(registration);
                    OrphanMarker.Delete(_consumers.Folder, name);
                    _orphans.Remove(name);
                    SpoolLog.OrphanedConsumerDropped(_logger, name, registration.CommittedOffset, since);
                }
                catch (IOException ex)
                {
                    SpoolLog.OrphanDropFailed(_logger, ex, name); // tried again at the next round
                }
            }

            TrimSegments();
        }
    }

    private void LogRecovery(long? resumedAfterGapFrom)
    {
        var report = Recovery;
        if (report.Truncation is { } cut)
        {
            SpoolLog.TailTruncated(_logger, cut.SegmentFile, cut.Offset, cut.Bytes);
        }

        foreach (var damage in report.Corruptions)
        {
            SpoolLog.CorruptionFound(_logger, damage.Kind, damage.File, damage.Offset, damage.Bytes);
        }

        if (resumedAfterGapFrom is { } logEnd)
        {
            SpoolLog.OffsetsResumedAfterGap(_logger, report.NextOffset, logEnd);
        }

        SpoolLog.Opened(
            _logger, Directory, report.Segments, report.FirstOffset, report.NextOffset, _consumers.Count, report.Duration.TotalMilliseconds);
    }

    private static void ThrowIfInvalidName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!CursorFile.IsValidName(name))
        {
            throw new ArgumentException(
                $"Spool consumer name '{name}' must be 1 to 64 of A-Z, a-z, 0-9, '.', '_', '-', starting with a letter or digit.", nameof(name));
        }
    }
}
