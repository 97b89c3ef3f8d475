using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks.Sources;

namespace Ingest.Spool;

/// <summary>
/// Records one caller appends together, in order, each given as a short prefix (written into the batch) and a body
/// that stays where it is (the connection's pipe memory). <see cref="FileSpool"/> copies each record once, straight
/// into the pending group commit, and completes the whole batch with one continuation (one thread-pool hand-off) when
/// the last of its records is resolved, instead of one per record.
/// <para>
/// Records go in strictly in order: when one is refused (<see cref="SpoolAppendStatus.Full"/> or
/// <see cref="SpoolAppendStatus.Unavailable"/>) every later record of the batch gets the same status without being
/// tried, so what is durable is always a prefix of the batch and a terminal never sees a later frame acknowledged
/// while an earlier one of the same read was dropped.
/// </para>
/// <para>
/// The bodies are read only until the append's task completes (also when it fails); the caller keeps them unchanged
/// until then. One batch per caller, reused: <see cref="Clear"/> after reading the results. Not thread-safe.
/// </para>
/// </summary>
public sealed class SpoolAppendBatch : IValueTaskSource
{
    /// <summary>The longest prefix a record may have (the ingest envelope header is 20 bytes).</summary>
    public const int MaxPrefixBytes = 32;

    private readonly ArrayPool<byte> _copyPool;
    private byte[] _prefixes = new byte[4 * MaxPrefixBytes];
    private Entry[] _entries = new Entry[4];
    private int _count;

    // Append state: the next record to enqueue, and how many parties (the enqueuer plus one per commit group holding
    // records of this batch) must still report before the batch completes.
    private ManualResetValueTaskSourceCore<bool> _core;
    private int _next;
    private int _outstanding;
    private Exception? _error;

    // The one-by-one path (spools without a batch append): a copy per record and its append.
    private byte[]?[] _copies = [];
    private ValueTask<SpoolAppendResult>[] _appends = [];

    /// <param name="copyPool">
    /// Where a spool without its own batch append (the interface's default path) rents the copy of each record; the
    /// copies go back only once every append of the batch has completed.
    /// </param>
    public SpoolAppendBatch(ArrayPool<byte>? copyPool = null)
    {
        _copyPool = copyPool ?? ArrayPool<byte>.Shared;
        _core.RunContinuationsAsynchronously = true; // completed on the spool's writer thread, which must only write and fsync
    }

    public int Count => _count;

    /// <summary>
    /// Adds a record of <paramref name="prefixLength"/> prefix bytes followed by <paramref name="body"/>; returns the
    /// prefix to fill in now.
    /// </summary>
    public Span<byte> Add(int prefixLength, ReadOnlySequence<byte> body)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)prefixLength, (uint)MaxPrefixBytes, nameof(prefixLength));
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _count * 2);
            Array.Resize(ref _prefixes, _count * 2 * MaxPrefixBytes);
        }

        _entries[_count] = new Entry(prefixLength, (int)body.Length, body);
        return _prefixes.AsSpan(_count++ * MaxPrefixBytes, prefixLength);
    }

    /// <summary>The outcome of record <paramref name="index"/>, once the append has completed.</summary>
    public SpoolAppendResult Result(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
        return _entries[index].Result;
    }

    /// <summary>Forgets the records (and the bodies they point at); call once the append has completed.</summary>
    public void Clear()
    {
        _entries.AsSpan(0, _count).Clear();
        _count = 0;
    }

    internal ReadOnlySpan<byte> Prefix(int index) => _prefixes.AsSpan(index * MaxPrefixBytes, _entries[index].PrefixLength);

    internal ref readonly ReadOnlySequence<byte> Body(int index) => ref _entries[index].Body;

    internal int PayloadLength(int index) => _entries[index].PrefixLength + _entries[index].BodyLength;

    /// <summary>The first record not yet enqueued.</summary>
    internal int Next => _next;

    internal long RemainingPayloadBytes()
    {
        long bytes = 0;
        for (int i = _next; i < _count; i++)
        {
            bytes += PayloadLength(i);
        }

        return bytes;
    }

    /// <summary>Starts an append: the caller (the enqueuer) holds one reference until <see cref="EnqueueDone"/>.</summary>
    internal ValueTask Begin()
    {
        _core.Reset();
        _next = 0;
        _error = null;
        _outstanding = 1;
        return new ValueTask(this, _core.Version);
    }

    /// <summary>Record <see cref="Next"/> went into a pending group at <paramref name="offset"/>. Under the writer's lock.</summary>
    internal void Enqueued(long offset) => _entries[_next++].Result = new SpoolAppendResult(SpoolAppendStatus.Committed, offset);

    /// <summary>A commit group now holds records of this batch and reports to <see cref="GroupDone"/>. Under the writer's lock.</summary>
    internal void JoinedGroup() => Interlocked.Increment(ref _outstanding);

    /// <summary>Refuses every record not yet enqueued with <paramref name="status"/>; returns how many.</summary>
    internal int RefuseRest(SpoolAppendStatus status)
    {
        int refused = _count - _next;
        for (; _next < _count; _next++)
        {
            _entries[_next].Result = new SpoolAppendResult(status, -1);
        }

        return refused;
    }

    /// <summary>The enqueuer gives up its reference: every record is enqueued or refused, or <paramref name="error"/> ended it.</summary>
    internal void EnqueueDone(Exception? error = null)
    {
        if (error is not null)
        {
            RefuseRest(SpoolAppendStatus.Unavailable);
            Interlocked.CompareExchange(ref _error, error, null);
        }

        Release();
    }

    /// <summary>
    /// The commit group holding records [<paramref name="first"/>, +<paramref name="count"/>) finished: committed when
    /// <paramref name="error"/> is null, refused (<see cref="SpoolUnavailableException"/>), or faulted.
    /// </summary>
    internal void GroupDone(int first, int count, Exception? error)
    {
        if (error is not null)
        {
            for (int i = first; i < first + count; i++)
            {
                _entries[i].Result = new SpoolAppendResult(SpoolAppendStatus.Unavailable, -1);
            }

            if (error is not SpoolUnavailableException)
            {
                Interlocked.CompareExchange(ref _error, error, null);
            }
        }

        Release();
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _outstanding) != 0)
        {
            return;
        }

        if (_error is { } error)
        {
            _core.SetException(error);
        }
        else
        {
            _core.SetResult(true);
        }
    }

    /// <summary>
    /// The path for spools without a batch append: each record is copied into a rented buffer and appended on its own.
    /// A copy goes back to the pool only once every started append has completed, because an append that waits for
    /// room in the next group commit may still be copying it (and a buffer returned early could be rented by another
    /// connection and stored under this record). A copy whose append never started goes back at once.
    /// </summary>
    internal async ValueTask AppendOneByOneAsync(IFrameSpool spool)
    {
        if (_copies.Length < _count)
        {
            _copies = new byte[]?[_entries.Length];
            _appends = new ValueTask<SpoolAppendResult>[_entries.Length];
        }

        Exception? error = null;
        int started = 0;
        for (; started < _count; started++)
        {
            int length = PayloadLength(started);
            var copy = _copyPool.Rent(length);
            Prefix(started).CopyTo(copy);
            Body(started).CopyTo(copy.AsSpan(_entries[started].PrefixLength));
            try
            {
                _appends[started] = spool.AppendAsync(copy.AsMemory(0, length), CancellationToken.None);
            }
            catch (Exception ex)
            {
                _copyPool.Return(copy); // the append never began, so nothing can read the copy any more
                error = ex;
                break;
            }

            _copies[started] = copy;
        }

        for (int i = 0; i < started; i++)
        {
            try
            {
                _entries[i].Result = await _appends[i].ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                error ??= ex;
            }
        }

        for (int i = 0; i < started; i++)
        {
            _copyPool.Return(_copies[i]!);
            _copies[i] = null;
            _appends[i] = default;
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private struct Entry(int prefixLength, int bodyLength, ReadOnlySequence<byte> body)
    {
        public readonly int PrefixLength = prefixLength;
        public readonly int BodyLength = bodyLength;
        public readonly ReadOnlySequence<byte> Body = body;
        public SpoolAppendResult Result;
    }
}
