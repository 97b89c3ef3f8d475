using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;

namespace LoadGen.Measurement;

public enum ReplyOutcome : byte
{
    /// <summary>The oldest matching request was answered with success (GB flag 0x01; any HJ reply).</summary>
    Acknowledged,
    /// <summary>The oldest matching request was answered with a failure flag.</summary>
    Rejected,
    /// <summary>The reply names another VIN; the request it matched is consumed but not acknowledged.</summary>
    WrongVin,
    /// <summary>No outstanding request has the reply's command, or the frame is not a reply at all.</summary>
    Unexpected,
}

/// <summary>What one reply matched. <see cref="Skipped"/> older requests were passed over without a reply.</summary>
public readonly record struct ReplyMatch(ReplyOutcome Outcome, byte Command, long SentTimestamp, int Skipped, byte Flag);

/// <summary>
/// Pairs replies with requests on one connection. Replies come back in request order (the server answers after
/// each group commit, in order), so a reply belongs to the oldest outstanding request with the same command: GB/T
/// 32960 replies repeat the command with flag 0x01 (success) or another flag (failure), HJ 1239 replies repeat
/// the command. Requests passed over on the way are counted as missing replies. The sending and receiving loops
/// of a connection share one matcher, so it takes a lock; it is uncontended in practice.
/// </summary>
public sealed class ReplyMatcher
{
    private readonly Vin _vin;
    private readonly HeaderLayout _layout;
    private readonly int _capacity;
    private Pending[] _ring;
    private readonly Lock _gate = new();
    private int _head;
    private int _count;

    public ReplyMatcher(Vin vin, HeaderLayout layout, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _vin = vin;
        _layout = layout;
        _capacity = capacity;
        // Most connections never have more than a few requests outstanding: start small, grow on demand.
        _ring = new Pending[Math.Min(capacity, 4)];
    }

    public int Capacity => _capacity;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>The send time of the oldest outstanding request, or <see cref="long.MaxValue"/> when none is.</summary>
    public long OldestSentTimestamp
    {
        get
        {
            lock (_gate)
            {
                return _count == 0 ? long.MaxValue : _ring[_head].SentTimestamp;
            }
        }
    }

    /// <summary>Registers a request that expects a reply. False when <see cref="Capacity"/> requests are already outstanding.</summary>
    /// <remarks>Call before sending: the reply may arrive before the send call returns.</remarks>
    public bool TryExpect(byte command, long sentTimestamp)
    {
        lock (_gate)
        {
            if (_count == _capacity)
            {
                return false;
            }
            if (_count == _ring.Length)
            {
                Grow();
            }
            _ring[(_head + _count) % _ring.Length] = new Pending(command, sentTimestamp);
            _count++;
            return true;
        }
    }

    /// <summary>Matches one received frame against the outstanding requests.</summary>
    public ReplyMatch Match(in FrameHeader reply)
    {
        if (reply.Layout != _layout || (_layout == HeaderLayout.Gb32960 && reply.ResponseFlag == Gb32960ResponseFlags.Command))
        {
            return new ReplyMatch(ReplyOutcome.Unexpected, reply.Command, 0, 0, reply.ResponseFlag);
        }
        Pending matched;
        int skipped;
        lock (_gate)
        {
            skipped = -1;
            for (int i = 0; i < _count; i++)
            {
                if (_ring[(_head + i) % _ring.Length].Command == reply.Command)
                {
                    skipped = i;
                    break;
                }
            }
            if (skipped < 0)
            {
                return new ReplyMatch(ReplyOutcome.Unexpected, reply.Command, 0, 0, reply.ResponseFlag);
            }
            matched = _ring[(_head + skipped) % _ring.Length];
            _head = (_head + skipped + 1) % _ring.Length;
            _count -= skipped + 1;
        }
        var outcome = reply.Vin != _vin ? ReplyOutcome.WrongVin
            : _layout == HeaderLayout.Hj1239 || reply.ResponseFlag == Gb32960ResponseFlags.Success ? ReplyOutcome.Acknowledged
            : ReplyOutcome.Rejected;
        return new ReplyMatch(outcome, matched.Command, matched.SentTimestamp, skipped, reply.ResponseFlag);
    }

    /// <summary>Forgets every outstanding request (the connection is gone) and returns how many there were.</summary>
    public int Clear()
    {
        lock (_gate)
        {
            int n = _count;
            _head = 0;
            _count = 0;
            return n;
        }
    }

    private void Grow()
    {
        var larger = new Pending[Math.Min(_capacity, _ring.Length * 2)];
        for (int i = 0; i < _count; i++)
        {
            larger[i] = _ring[(_head + i) % _ring.Length];
        }
        _ring = larger;
        _head = 0;
    }

    private readonly record struct Pending(byte Command, long SentTimestamp);
}
