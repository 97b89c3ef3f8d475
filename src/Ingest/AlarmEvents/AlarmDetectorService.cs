using System.Diagnostics;
using Ingest.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingest.AlarmEvents;

/// <summary>
/// Runs the <see cref="AlarmDetector"/> as a consumer of the frame spool (cursor <c>alarms</c>) through the one
/// spool-consumer loop, and appends the events it finds to the <see cref="AlarmOutbox"/>.
/// </summary>
/// <remarks>
/// <para>The detector's state and the spool cursor must agree after a restart, or an alarm that started before the
/// cursor would start again (or never end). So a batch's outcome completes only when a snapshot of the state that
/// includes it is on disk (at most every <see cref="AlarmOptions.SnapshotInterval"/>, when the loop would wait, and at
/// stop): the cursor never passes the snapshot. The snapshot may be ahead of the cursor (the cursor reaches the disk
/// later); the records between are skipped by offset. Events are in the outbox before their batch can complete.</para>
/// <para>After any failure the loop rewinds to its cursor and this reloads the snapshot, so the records since are
/// applied again to the state they were first applied to and give the same events with the same ids (an event may so
/// reach the outbox twice; every destination deduplicates by id and phase).</para>
/// <para>The silence timer runs on this loop too, once a second, while the detector is not working through a backlog:
/// a full batch means the records are older than the wall clock says, and their vehicles are not silent.</para>
/// </remarks>
public sealed class AlarmDetectorService : BackgroundService, ISpoolBatchDelivery
{
    public const string ConsumerName = "alarms";
    public const string SnapshotFileName = "detector.state";

    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly IFrameSpool _spool;
    private readonly AlarmOutbox _outbox;
    private readonly AlarmDetector _detector;
    private readonly RecentAlarms _recent;
    private readonly AlarmMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SpoolConsumerLoop _loop;
    private readonly string _directory;
    private readonly TimeSpan _snapshotInterval;
    private readonly int _maxBatchRecords;
    private readonly List<AlarmEvent> _events = [];
    private readonly List<TaskCompletionSource> _pending = [];
    private bool _loaded;
    private long _lastSnapshot;
    private long _lastSweep;
    private long _eventCount;
    private CancellationTokenRegistration? _stopRegistration;

    public AlarmDetectorService(
        IFrameSpool spool,
        AlarmOutbox outbox,
        AlarmDetector detector,
        RecentAlarms recent,
        AlarmMetrics metrics,
        AlarmOptions options,
        string directory,
        ILogger<AlarmDetectorService> logger,
        TimeProvider? timeProvider = null,
        SpoolConsumerMetrics? consumerMetrics = null)
    {
        _spool = spool;
        _outbox = outbox;
        _detector = detector;
        _recent = recent;
        _metrics = metrics;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _directory = directory;
        _snapshotInterval = options.SnapshotInterval;
        _maxBatchRecords = 1_000;
        _loop = new SpoolConsumerLoop(ConsumerName, spool, this, new SpoolConsumerLoopOptions
        {
            MaxBatchRecords = _maxBatchRecords,
            // Alarms are about seconds: no linger, a batch goes as soon as the spool has records.
            Linger = TimeSpan.Zero,
            IdleWait = SweepInterval,
            // Batches wait for the next snapshot before they commit; this bounds how many (and their memory).
            MaxInFlightBatches = 256,
            MinRetryDelay = options.MinRetryDelay,
            MaxRetryDelay = options.MaxRetryDelay,
        }, logger, _time, consumerMetrics);
    }

    public SpoolConsumerState State => _loop.State;

    /// <summary>The frame spool offset before which every record is committed by this consumer.</summary>
    public long CommittedOffset => _loop.CommittedOffset;

    /// <summary>The next frame spool offset the detector's state has not seen.</summary>
    public long AppliedOffset => Volatile.Read(ref _appliedOffset);

    private long _appliedOffset;

    private string SnapshotPath => Path.Combine(_directory, SnapshotFileName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _loop.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _stopRegistration?.Dispose();
            AlarmLog.Stopped(_logger, _detector.NextOffset, _detector.Vehicles, _detector.ActiveAlarms, _eventCount);
        }
    }

    ValueTask ISpoolBatchDelivery.PrepareAsync(CancellationToken cancellationToken)
    {
        FailPending(new OperationCanceledException("the detector restarts from its snapshot"));
        LoadSnapshot(logFirst: !_loaded);
        _loaded = true;
        _lastSnapshot = _time.GetTimestamp();
        return ValueTask.CompletedTask;
    }

    async ValueTask<Task> ISpoolBatchDelivery.SendAsync(SpoolBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            _events.Clear();
            foreach (var record in batch.Records)
            {
                _detector.Apply(record, _events);
            }
            Volatile.Write(ref _appliedOffset, _detector.NextOffset);
            if (batch.Count < _maxBatchRecords)
            {
                SweepIfDue();
            }
            await EmitAsync(cancellationToken).ConfigureAwait(false);
            var outcome = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_pending)
            {
                _pending.Add(outcome);
            }
            if (_stopRegistration is null)
            {
                // Past the stop timeout the loop no longer waits for a snapshot: it drains, and the records come again.
                _stopRegistration = cancellationToken.Register(() => FailPending(new OperationCanceledException("the alarm detector stopped before its snapshot")));
            }
            if (_time.GetElapsedTime(_lastSnapshot) >= _snapshotInterval)
            {
                Snapshot();
            }
            return outcome.Task;
        }
        catch (Exception exception)
        {
            FailPending(exception);
            throw;
        }
    }

    async ValueTask ISpoolBatchDelivery.FlushAsync(SpoolFlushReason reason, CancellationToken cancellationToken)
    {
        try
        {
            if (reason == SpoolFlushReason.Idle)
            {
                _events.Clear();
                SweepIfDue();
                await EmitAsync(cancellationToken).ConfigureAwait(false);
                if (_events.Count > 0 || HasPending && _time.GetElapsedTime(_lastSnapshot) >= _snapshotInterval)
                {
                    Snapshot();
                }
                return;
            }
            if (HasPending)
            {
                Snapshot();
            }
        }
        catch (Exception exception)
        {
            FailPending(exception);
            throw;
        }
    }

    private void SweepIfDue()
    {
        if (_time.GetElapsedTime(_lastSweep) < SweepInterval)
        {
            return;
        }
        _lastSweep = _time.GetTimestamp();
        _detector.SweepSilence(_time.GetUtcNow().ToUnixTimeMilliseconds(), _events);
    }

    private async ValueTask EmitAsync(CancellationToken cancellationToken)
    {
        if (_events.Count == 0)
        {
            return;
        }
        await _outbox.AppendAsync(_events, cancellationToken).ConfigureAwait(false);
        _recent.Add(_events);
        _eventCount += _events.Count;
        foreach (var e in _events)
        {
            _metrics.Detected(e);
        }
    }

    /// <summary>Writes the state durably, then lets every batch it includes commit.</summary>
    private void Snapshot()
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            var path = SnapshotPath;
            var temp = path + ".tmp";
            Directory.CreateDirectory(_directory);
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                _detector.Save(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            DirectorySync.Flush(_directory);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            AlarmLog.SnapshotFailed(_logger, exception.Message, exception);
            throw new SpoolDeliveryException($"writing the alarm detector snapshot failed: {exception.Message}", exception);
        }
        _lastSnapshot = _time.GetTimestamp();
        _metrics.SnapshotWritten(Stopwatch.GetElapsedTime(started), _detector.Vehicles, _detector.ActiveAlarms);
        lock (_pending)
        {
            foreach (var outcome in _pending)
            {
                outcome.TrySetResult();
            }
            _pending.Clear();
        }
    }

    private void LoadSnapshot(bool logFirst)
    {
        var path = SnapshotPath;
        if (!File.Exists(path))
        {
            StartAtEnd();
            if (logFirst)
            {
                AlarmLog.FirstStart(_logger, _directory, _detector.NextOffset);
            }
            return;
        }
        try
        {
            _detector.Load(File.ReadAllBytes(path));
        }
        catch (InvalidDataException exception)
        {
            StartAtEnd();
            AlarmLog.SnapshotDamaged(_logger, path, exception.Message, _detector.NextOffset);
            return;
        }
        Volatile.Write(ref _appliedOffset, _detector.NextOffset);
        if (logFirst)
        {
            AlarmLog.Resumed(_logger, _directory, _detector.NextOffset, _detector.Vehicles, _detector.ActiveAlarms);
        }
    }

    /// <summary>
    /// No state to resume: begin at the spool's end, so enabling alarms does not replay the retained history as
    /// events. The state is saved at once, so a restart resumes from here rather than from a later end.
    /// </summary>
    private void StartAtEnd()
    {
        _detector.StartAt(_spool.GetStats().NextOffset);
        Volatile.Write(ref _appliedOffset, _detector.NextOffset);
        Snapshot();
    }

    private void FailPending(Exception exception)
    {
        lock (_pending)
        {
            foreach (var outcome in _pending)
            {
                outcome.TrySetException(exception);
            }
            _pending.Clear();
        }
    }

    private bool HasPending
    {
        get
        {
            lock (_pending)
            {
                return _pending.Count > 0;
            }
        }
    }
}
