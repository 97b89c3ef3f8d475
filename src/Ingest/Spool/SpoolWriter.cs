using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Ingest.Spool;

/// <summary>
/// The append side: appenders copy their record into the pending batch under a short lock and get their offset at
/// once; one writer thread takes the whole batch, writes it with one vectored write, fsyncs, publishes the new durable
/// end and completes every appender of the batch together (group commit). The writer runs on its own thread because
/// write and fsync block.
/// <para>
/// A failed commit (an <see cref="IOException"/>: ENOSPC, EMFILE, EIO) does not stop the writer. Nothing of it was
/// acknowledged: its appenders, and those already queued behind it, are refused (<see cref="SpoolAppendStatus.Unavailable"/>),
/// the segment is truncated back to the durable end (a later commit must never land behind half-written bytes), offsets
/// rewind to the durable end (no consumer has seen them), and new appends are refused at once until a backoff
/// (<see cref="FirstRetryDelay"/>, doubling up to <see cref="MaxRetryDelay"/>) has passed. The next batch after it is the
/// probe: when it commits, the spool is healthy again without a restart. Any other exception is a bug and faults the
/// writer for good.
/// </para>
/// </summary>
internal sealed class SpoolWriter
{
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly SpoolOptions _options;
    private readonly string _directory;
    private readonly SegmentSet _segments;
    private readonly DurableEnd _durable;
    private readonly SpoolMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action _segmentSealed;
    private readonly SpoolFileIo _io;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _work = new(0);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;

    // Append side, guarded by _lock.
    private PendingBatch _pending = new();
    private PendingBatch? _spare = new();
    private TaskCompletionSource _batchTaken = NewSignal();
    private long _nextOffset;
    private long _segmentBase;
    private long _segmentRecordBytes;
    private bool _stopping;
    private bool _exited;
    private SpoolFaultedException? _fault;
    private bool _rejecting;

    // Disk-error state, guarded by _lock: failed commit attempts in a row, when appends are accepted again, the error.
    private int _writeFailures;
    private DateTimeOffset _retryAt;
    private IOException? _writeError;

    // Budget: segment bytes on disk plus accepted, not yet written bytes. Added under _lock, released by retention.
    private long _usedBytes;

    // Writer thread only.
    private SafeFileHandle _handle;
    private long _handleBase;
    private long _filePosition;
    private long _lastCommitStart;
    private bool _mustTruncate;

    public SpoolWriter(
        SpoolOptions options,
        string directory,
        SegmentSet segments,
        DurableEnd durable,
        RecoveredLog recovered,
        SpoolMetrics metrics,
        ILogger logger,
        Action segmentSealed,
        SpoolFileIo io,
        TimeProvider time)
    {
        _io = io;
        _time = time;
        _options = options;
        _directory = directory;
        _segments = segments;
        _durable = durable;
        _metrics = metrics;
        _logger = logger;
        _segmentSealed = segmentSealed;
        _handle = recovered.ActiveHandle;
        _handleBase = recovered.ActiveSegment.BaseOffset;
        _nextOffset = recovered.NextOffset;
        _segmentBase = _handleBase;
        _segmentRecordBytes = _nextOffset - _handleBase;
        _filePosition = SpoolFormat.SegmentHeaderBytes + _segmentRecordBytes;
        _usedBytes = recovered.DiskBytes;
        _thread = new Thread(Run) { IsBackground = true, Name = "spool-writer" };
    }

    public long UsedBytes => Volatile.Read(ref _usedBytes);

    /// <summary>
    /// Whether an append of <paramref name="payloadLength"/> bytes would pass the disk budget now (counting a segment
    /// header, in case it starts a segment). A hint without the lock, for reclaiming retained segments first.
    /// </summary>
    public bool WouldExceedBudget(int payloadLength) =>
        UsedBytes + SpoolFormat.RecordBytes(payloadLength) + SpoolFormat.SegmentHeaderBytes > _options.DiskBudgetBytes;

    public bool Rejecting
    {
        get
        {
            lock (_lock)
            {
                return _rejecting;
            }
        }
    }

    public bool Faulted
    {
        get
        {
            lock (_lock)
            {
                return _fault is not null;
            }
        }
    }

    /// <summary>The writer's disk-error state; <see cref="WriteState.Failures"/> is 0 when the last commit succeeded.</summary>
    public WriteState State
    {
        get
        {
            lock (_lock)
            {
                return new WriteState(
                    _writeFailures,
                    _writeFailures > 0 && _time.GetUtcNow() < _retryAt,
                    _writeFailures > 0 ? _retryAt : null,
                    _writeError?.Message);
            }
        }
    }

    public void Start() => _thread.Start();

    /// <summary>
    /// Copies the record into the pending batch. <see cref="EnqueueOutcome.Enqueued"/>: <paramref name="offset"/> is
    /// assigned and <paramref name="wait"/> completes at the commit. <see cref="EnqueueOutcome.BatchFull"/>:
    /// <paramref name="wait"/> completes when the writer takes the batch; try again then.
    /// </summary>
    public EnqueueOutcome TryEnqueue(ReadOnlySpan<byte> payload, out long offset, out Task wait)
    {
        offset = -1;
        wait = Task.CompletedTask;
        EnqueueOutcome outcome;
        bool wakeWriter = false, budgetStateChanged;
        lock (_lock)
        {
            ThrowIfClosed();
            if (BackingOffLocked())
            {
                _metrics.Unavailable();
                return EnqueueOutcome.Unavailable; // budget state untouched: this is not about space budgeted
            }

            outcome = TryAppendLocked(payload, default, ref wakeWriter, out offset);
            if (outcome == EnqueueOutcome.Enqueued)
            {
                wait = _pending.Group.Task;
            }
            else if (outcome == EnqueueOutcome.BatchFull)
            {
                wait = _batchTaken.Task;
            }

            budgetStateChanged = UpdateRejectingLocked(outcome);
        }

        if (wakeWriter)
        {
            _work.Release();
        }

        ReportBudget(outcome, budgetStateChanged);
        return outcome;
    }

    /// <summary>
    /// Copies the records of <paramref name="batch"/> from <see cref="SpoolAppendBatch.Next"/> on into the pending batch,
    /// in order, under one lock, and lists the batch among the pending group's waiters.
    /// <see cref="EnqueueOutcome.Enqueued"/>: all of them are in. <see cref="EnqueueOutcome.BatchFull"/>: the ones that
    /// fit are in; <paramref name="batchTaken"/> completes when the writer takes the batch: try again from there.
    /// <see cref="EnqueueOutcome.Full"/> and <see cref="EnqueueOutcome.Unavailable"/>: the record at
    /// <see cref="SpoolAppendBatch.Next"/> was refused (those before it are in).
    /// </summary>
    public EnqueueOutcome TryEnqueue(SpoolAppendBatch batch, out Task batchTaken)
    {
        batchTaken = Task.CompletedTask;
        EnqueueOutcome outcome = EnqueueOutcome.Enqueued;
        bool wakeWriter = false, budgetStateChanged;
        lock (_lock)
        {
            ThrowIfClosed();
            if (BackingOffLocked())
            {
                _metrics.Unavailable();
                return EnqueueOutcome.Unavailable;
            }

            int first = batch.Next;
            while (batch.Next < batch.Count)
            {
                outcome = TryAppendLocked(batch.Prefix(batch.Next), batch.Body(batch.Next), ref wakeWriter, out var offset);
                if (outcome != EnqueueOutcome.Enqueued)
                {
                    break;
                }

                batch.Enqueued(offset);
            }

            if (batch.Next > first)
            {
                _pending.Group.Add(batch, first, batch.Next - first);
            }

            if (outcome == EnqueueOutcome.BatchFull)
            {
                batchTaken = _batchTaken.Task;
            }

            budgetStateChanged = UpdateRejectingLocked(outcome);
        }

        if (wakeWriter)
        {
            _work.Release();
        }

        ReportBudget(outcome, budgetStateChanged);
        return outcome;
    }

    /// <summary>Appends one record when the budget and the pending batch's limits allow it. Caller holds <see cref="_lock"/>.</summary>
    private EnqueueOutcome TryAppendLocked(ReadOnlySpan<byte> prefix, in System.Buffers.ReadOnlySequence<byte> body, ref bool wakeWriter, out long offset)
    {
        offset = -1;
        var recordBytes = SpoolFormat.RecordBytes(prefix.Length + (int)body.Length);
        var roll = _segmentRecordBytes > 0 && _segmentRecordBytes + recordBytes > _options.SegmentBytes;
        var neededBytes = recordBytes + (roll ? SpoolFormat.SegmentHeaderBytes : 0);
        if (Volatile.Read(ref _usedBytes) + neededBytes > _options.DiskBudgetBytes)
        {
            return EnqueueOutcome.Full;
        }

        if (!_pending.IsEmpty && (roll || _pending.Bytes + recordBytes > _options.MaxBatchBytes))
        {
            // A batch never spans segments and never exceeds MaxBatchBytes: wait for the writer to take it.
            return EnqueueOutcome.BatchFull;
        }

        wakeWriter |= _pending.IsEmpty;
        offset = AppendLocked(prefix, body, roll, neededBytes);
        return EnqueueOutcome.Enqueued;
    }

    private bool BackingOffLocked() => _writeFailures > 0 && _time.GetUtcNow() < _retryAt;

    /// <summary>Tracks whether appends are being refused for the budget; true when that just changed. Caller holds <see cref="_lock"/>.</summary>
    private bool UpdateRejectingLocked(EnqueueOutcome outcome)
    {
        var changed = outcome != EnqueueOutcome.BatchFull && _rejecting != (outcome == EnqueueOutcome.Full);
        _rejecting = outcome == EnqueueOutcome.Full || (_rejecting && outcome == EnqueueOutcome.BatchFull);
        return changed;
    }

    /// <summary>Gives budget back after retention deleted segment files; appends are tried again from here.</summary>
    public void Release(long bytes)
    {
        Interlocked.Add(ref _usedBytes, -bytes);
        bool wasRejecting;
        lock (_lock)
        {
            wasRejecting = _rejecting;
            _rejecting = false;
        }

        if (wasRejecting)
        {
            SpoolLog.BudgetAvailable(_logger, UsedBytes, _options.DiskBudgetBytes);
        }
    }

    /// <summary>
    /// Commits what is pending and ends the writer thread. Appenders waiting for room may still join the last batches;
    /// one that comes after the writer found nothing left gets <see cref="ObjectDisposedException"/>.
    /// </summary>
    public async ValueTask StopAsync()
    {
        lock (_lock)
        {
            _stopping = true;
        }

        _work.Release();
        await _stopped.Task.ConfigureAwait(false);
        _handle.Dispose();
    }

    /// <summary>Assigns the next offset and copies the record into the pending batch. Caller holds <see cref="_lock"/>.</summary>
    private long AppendLocked(ReadOnlySpan<byte> prefix, in System.Buffers.ReadOnlySequence<byte> body, bool roll, long neededBytes)
    {
        if (roll)
        {
            _segmentBase = _nextOffset;
            _segmentRecordBytes = 0;
        }

        if (_pending.IsEmpty)
        {
            _pending.Begin(_nextOffset, _segmentBase, rollsSegment: roll);
        }

        var offset = _nextOffset;
        _pending.Append(offset, prefix, body);
        _pending.ReservedBytes += neededBytes;
        var recordBytes = SpoolFormat.RecordBytes(prefix.Length + (int)body.Length);
        _nextOffset += recordBytes;
        _segmentRecordBytes += recordBytes;
        Interlocked.Add(ref _usedBytes, neededBytes);
        return offset;
    }

    private void Run()
    {
        PendingBatch? inFlight = null;
        try
        {
            while (true)
            {
                if (!Volatile.Read(ref _stopping))
                {
                    _work.Wait();
                }

                SpaceOutCommits();
                lock (_lock)
                {
                    if (_pending.IsEmpty)
                    {
                        if (_stopping)
                        {
                            _exited = true;
                            _batchTaken.TrySetResult();
                            return;
                        }

                        continue;
                    }

                    inFlight = _pending;
                    _pending = _spare ?? throw new InvalidOperationException("The spare batch is still in use.");
                    _spare = null;
                    Interlocked.Exchange(ref _batchTaken, NewSignal()).TrySetResult();
                }

                inFlight.MarkCommitEnd();
                try
                {
                    Commit(inFlight);
                    inFlight.DetachGroup()?.Complete(null);
                    Recovered();
                }
                catch (IOException ex)
                {
                    RefuseAfterWriteError(inFlight, ex);
                }

                inFlight.Reset();
                lock (_lock)
                {
                    _spare = inFlight;
                }

                inFlight = null;
            }
        }
        catch (Exception ex)
        {
            Fail(ex, inFlight);
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    /// <summary>Keeps <see cref="SpoolOptions.FlushInterval"/> between commit starts so appends can gather.</summary>
    private void SpaceOutCommits()
    {
        var wait = _options.FlushInterval - Stopwatch.GetElapsedTime(_lastCommitStart);
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        lock (_lock)
        {
            if (_stopping || _pending.Bytes >= _options.MaxBatchBytes / 2)
            {
                return;
            }
        }

        // Sleep works in whole milliseconds: round up so commits are really spaced by FlushInterval.
        Thread.Sleep((int)Math.Ceiling(wait.TotalMilliseconds));
    }

    private void Commit(PendingBatch batch)
    {
        if (_mustTruncate)
        {
            TruncateToDurableEnd();
        }

        if (batch.SegmentBase != _handleBase)
        {
            Roll(batch.SegmentBase);
        }

        var expectedStart = _handleBase + _filePosition - SpoolFormat.SegmentHeaderBytes;
        if (batch.StartOffset != expectedStart)
        {
            throw new InvalidOperationException($"Batch starts at {batch.StartOffset}, the segment ends at {expectedStart}.");
        }

        _lastCommitStart = Stopwatch.GetTimestamp();
        _mustTruncate = true; // until the fsync returns, bytes past _filePosition may be half-written
        _io.Write(_handle, batch.Buffers(), _filePosition);
        _io.Flush(_handle);
        _mustTruncate = false;
        _filePosition += batch.Bytes;
        _durable.Publish(batch.EndOffset);
        _metrics.Committed(batch.Records, batch.Bytes, Stopwatch.GetElapsedTime(_lastCommitStart));
    }

    /// <summary>Seals the current segment (its data is already fsynced) and continues in a new one.</summary>
    private void Roll(long baseOffset)
    {
        var (handle, segment) = _io.CreateSegment(_directory, baseOffset);
        _handle.Dispose();
        _handle = handle;
        _handleBase = baseOffset;
        _filePosition = SpoolFormat.SegmentHeaderBytes;
        _segments.Add(segment);
        _segmentSealed();
    }

    /// <summary>Cuts the active segment back to the durable end and makes that durable, so the next commit starts clean.</summary>
    private void TruncateToDurableEnd()
    {
        _io.SetLength(_handle, _filePosition);
        _io.Flush(_handle);
        _mustTruncate = false;
    }

    /// <summary>
    /// A commit failed: refuse its appenders and those queued behind it (none was acknowledged), rewind offsets and
    /// budget to the durable end, cut the half-written bytes if the disk lets us (else before the next commit), and
    /// refuse new appends until the backoff has passed.
    /// </summary>
    private void RefuseAfterWriteError(PendingBatch failed, IOException error)
    {
        var refusal = new SpoolUnavailableException(error);
        var headerOnDisk = failed.RollsSegment && failed.SegmentBase == _handleBase;
        var release = failed.ReservedBytes - (headerOnDisk ? SpoolFormat.SegmentHeaderBytes : 0);
        CommitGroup? queued = null;
        int refused = failed.Records, failures;
        DateTimeOffset retryAt;
        lock (_lock)
        {
            if (!_pending.IsEmpty)
            {
                queued = _pending.DetachGroup();
                refused += _pending.Records;
                release += _pending.ReservedBytes;
                _pending.Reset();
            }

            _nextOffset = SegmentFiles.LogicalOffset(_handleBase, _filePosition);
            _segmentBase = _handleBase;
            _segmentRecordBytes = _filePosition - SpoolFormat.SegmentHeaderBytes;
            Interlocked.Add(ref _usedBytes, -release);
            failures = ++_writeFailures;
            var delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks << Math.Min(failures - 1, 16)));
            retryAt = _retryAt = _time.GetUtcNow() + delay;
            _writeError = error;
            Interlocked.Exchange(ref _batchTaken, NewSignal()).TrySetResult();
        }

        _metrics.WriteFailed(refused);
        SpoolLog.WriteFailed(_logger, error, error.HResult, failed.StartOffset, refused, failures, retryAt);
        try
        {
            TruncateToDurableEnd();
        }
        catch (IOException ex)
        {
            SpoolLog.TruncateFailed(_logger, ex, _filePosition); // tried again before the next commit
        }

        // Last: an appender that hears "refused" finds the file already cut back.
        failed.DetachGroup()?.Complete(refusal);
        queued?.Complete(refusal);
    }

    private void Recovered()
    {
        int failures;
        lock (_lock)
        {
            failures = _writeFailures;
            _writeFailures = 0;
            _writeError = null;
        }

        if (failures > 0)
        {
            SpoolLog.WriteRecovered(_logger, failures, _durable.Value);
        }
    }

    private void Fail(Exception cause, PendingBatch? inFlight)
    {
        var fault = new SpoolFaultedException(cause);
        PendingBatch pending;
        lock (_lock)
        {
            _fault = fault;
            pending = _pending;
            _batchTaken.TrySetResult();
        }

        SpoolLog.WriterFaulted(_logger, cause, inFlight?.StartOffset ?? _durable.Value);
        inFlight?.DetachGroup()?.Complete(fault);
        if (!pending.IsEmpty)
        {
            pending.DetachGroup()?.Complete(fault);
        }
    }

    private void ThrowIfClosed()
    {
        if (_fault is not null)
        {
            throw new SpoolFaultedException(_fault.InnerException!);
        }

        ObjectDisposedException.ThrowIf(_exited, this);
    }

    private void ReportBudget(EnqueueOutcome outcome, bool changed)
    {
        if (outcome == EnqueueOutcome.Full)
        {
            _metrics.Rejected();
        }

        if (!changed)
        {
            return;
        }

        if (outcome == EnqueueOutcome.Full)
        {
            SpoolLog.BudgetReached(_logger, UsedBytes, _options.DiskBudgetBytes);
        }
        else
        {
            SpoolLog.BudgetAvailable(_logger, UsedBytes, _options.DiskBudgetBytes);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal enum EnqueueOutcome : byte
{
    Enqueued,
    Full,
    BatchFull,
    /// <summary>The writer is backing off after a disk error; nothing was queued.</summary>
    Unavailable,
}

/// <summary>The writer's disk-error state for stats and health.</summary>
/// <param name="Failures">Failed commit attempts in a row (0: the last commit succeeded).</param>
/// <param name="Refusing">Appends are refused right now (within the backoff after a failure).</param>
/// <param name="RetryAt">When appends are tried again after the last failure; null when healthy.</param>
/// <param name="Error">The last error's message while not recovered.</param>
internal readonly record struct WriteState(int Failures, bool Refusing, DateTimeOffset? RetryAt, string? Error);

/// <summary>An append refused because its commit failed on a disk error: it was not acknowledged.</summary>
internal sealed class SpoolUnavailableException(IOException cause)
    : IOException("The spool could not write the commit; the append was not acknowledged.", cause);
