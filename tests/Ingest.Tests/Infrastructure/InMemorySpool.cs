using Ingest.Spool;

namespace Ingest.Tests.Infrastructure;

/// <summary>
/// A test double for the spool only (the real spool has its own tests): records in a list, offsets 0, 1, 2, ...,
/// consumers with a committed cursor, a read position and <see cref="ISpoolConsumer.Rewind"/> as the contract says.
/// </summary>
public sealed class InMemorySpool : IFrameSpool
{
    private readonly object _gate = new();
    private readonly List<ReadOnlyMemory<byte>> _records = [];
    private readonly Dictionary<string, long> _committed = [];
    private readonly Dictionary<string, long> _readEnd = [];
    private TaskCompletionSource _appended = NewSignal();

    public long NextOffset
    {
        get
        {
            lock (_gate)
            {
                return _records.Count;
            }
        }
    }

    public ValueTask<SpoolAppendResult> AppendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        TaskCompletionSource signal;
        long offset;
        lock (_gate)
        {
            offset = _records.Count;
            _records.Add(payload.ToArray());
            signal = _appended;
            _appended = NewSignal();
        }
        signal.TrySetResult();
        return ValueTask.FromResult(new SpoolAppendResult(SpoolAppendStatus.Committed, offset));
    }

    public ISpoolConsumer OpenConsumer(string name)
    {
        lock (_gate)
        {
            _committed.TryAdd(name, 0);
        }
        return new Consumer(this, name);
    }

    public SpoolConsumerRemoval RemoveConsumer(string name)
    {
        lock (_gate)
        {
            return _committed.Remove(name) ? SpoolConsumerRemoval.Removed : SpoolConsumerRemoval.NotFound;
        }
    }

    /// <summary>The end of what the named consumer has read so far (records handed over, committed or not).</summary>
    public long ReadOffset(string name)
    {
        lock (_gate)
        {
            return _readEnd.GetValueOrDefault(name);
        }
    }

    public long CommittedOffset(string name)
    {
        lock (_gate)
        {
            return _committed.GetValueOrDefault(name);
        }
    }

    public SpoolStats GetStats()
    {
        lock (_gate)
        {
            return new SpoolStats(0, _records.Count, 0, long.MaxValue, false, false, new Dictionary<string, long>(_committed), false, 0);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Consumer(InMemorySpool spool, string name) : ISpoolConsumer
    {
        private long _readPosition = spool.CommittedOffset(name);

        public string Name => name;

        public long CommittedOffset => spool.CommittedOffset(name);

        public async ValueTask<SpoolBatch> ReadAsync(int maxRecords, TimeSpan maxWait, CancellationToken cancellationToken)
        {
            Task appended;
            lock (spool._gate)
            {
                if (TakeLocked(maxRecords) is { } batch)
                {
                    return batch;
                }
                appended = spool._appended.Task;
            }
            if (maxWait > TimeSpan.Zero)
            {
                await Task.WhenAny(appended, Task.Delay(maxWait, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
            lock (spool._gate)
            {
                return TakeLocked(maxRecords) ?? SpoolBatch.Empty;
            }
        }

        public ValueTask CommitAsync(long nextOffset, CancellationToken cancellationToken)
        {
            lock (spool._gate)
            {
                if (nextOffset < spool._committed[name] || nextOffset > spool._records.Count)
                {
                    throw new InvalidOperationException($"commit {nextOffset} outside [{spool._committed[name]}, {spool._records.Count}]");
                }
                spool._committed[name] = nextOffset;
            }
            if (Interlocked.Read(ref _readPosition) < nextOffset)
            {
                Interlocked.Exchange(ref _readPosition, nextOffset);
            }
            return ValueTask.CompletedTask;
        }

        public void Rewind() => Interlocked.Exchange(ref _readPosition, CommittedOffset);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private SpoolBatch? TakeLocked(int maxRecords)
        {
            long start = Interlocked.Read(ref _readPosition);
            int count = (int)Math.Min(maxRecords, spool._records.Count - start);
            if (count <= 0)
            {
                return null;
            }
            var records = new SpoolRecord[count];
            for (int i = 0; i < count; i++)
            {
                long offset = start + i;
                records[i] = new SpoolRecord(offset, offset + 1, spool._records[(int)offset]);
            }
            Interlocked.Exchange(ref _readPosition, start + count);
            spool._readEnd[name] = start + count; // under the spool's lock, like every caller of this method
            return new SpoolBatch(records);
        }
    }
}
