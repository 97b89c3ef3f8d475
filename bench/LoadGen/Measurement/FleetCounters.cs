namespace LoadGen.Measurement;

/// <summary>
/// Fleet-wide counters, updated with interlocked operations from every connection loop and read by the
/// progress printer. Per-command arrays are indexed by command id.
/// </summary>
public sealed class FleetCounters
{
    private long _connectAttempts;
    private long _connectionsEstablished;
    private long _connectionsOpen;
    private long _loginsSent;
    private long _loginsAcknowledged;
    private long _framesSent;
    private long _framesAcknowledged;
    private long _bytesSent;
    private long _bytesReceived;
    private long _gaps;
    private long _terminalsStarted;
    private long _terminalsFinished;
    private readonly long[] _sentByCommand = new long[256];
    private readonly long[] _ackedByCommand = new long[256];
    private readonly long[] _errors = new long[LoadErrorKinds.All.Length];

    public void ConnectAttempt() => Interlocked.Increment(ref _connectAttempts);

    public void ConnectionEstablished()
    {
        Interlocked.Increment(ref _connectionsEstablished);
        Interlocked.Increment(ref _connectionsOpen);
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _connectionsOpen);

    public void TerminalStarted() => Interlocked.Increment(ref _terminalsStarted);

    public void TerminalFinished() => Interlocked.Increment(ref _terminalsFinished);

    public void Gap() => Interlocked.Increment(ref _gaps);

    public void Sent(byte command, int bytes)
    {
        Interlocked.Increment(ref _framesSent);
        Interlocked.Increment(ref _sentByCommand[command]);
        Interlocked.Add(ref _bytesSent, bytes);
        if (command == Frames.Commands.Login)
        {
            Interlocked.Increment(ref _loginsSent);
        }
    }

    public void Acknowledged(byte command)
    {
        Interlocked.Increment(ref _framesAcknowledged);
        Interlocked.Increment(ref _ackedByCommand[command]);
        if (command == Frames.Commands.Login)
        {
            Interlocked.Increment(ref _loginsAcknowledged);
        }
    }

    public void Received(int bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    public void Error(LoadErrorKind kind, int count = 1) => Interlocked.Add(ref _errors[(int)kind], count);

    public long FramesAcknowledged => Volatile.Read(ref _framesAcknowledged);

    public long Errors(LoadErrorKind kind) => Volatile.Read(ref _errors[(int)kind]);

    public CounterSnapshot Snapshot()
    {
        var errors = new Dictionary<string, long>();
        foreach (var kind in LoadErrorKinds.All)
        {
            long n = Volatile.Read(ref _errors[(int)kind]);
            if (n != 0)
            {
                errors[kind.Name()] = n;
            }
        }
        var sent = new Dictionary<string, long>();
        var acked = new Dictionary<string, long>();
        for (int c = 0; c < 256; c++)
        {
            long s = Volatile.Read(ref _sentByCommand[c]);
            long a = Volatile.Read(ref _ackedByCommand[c]);
            if (s != 0 || a != 0)
            {
                sent[Frames.Commands.Name((byte)c)] = s;
                acked[Frames.Commands.Name((byte)c)] = a;
            }
        }
        return new CounterSnapshot
        {
            TerminalsStarted = Volatile.Read(ref _terminalsStarted),
            TerminalsFinished = Volatile.Read(ref _terminalsFinished),
            ConnectAttempts = Volatile.Read(ref _connectAttempts),
            ConnectionsEstablished = Volatile.Read(ref _connectionsEstablished),
            ConnectionsRefused = Errors(LoadErrorKind.ConnectRefused),
            ConnectionsOpen = Volatile.Read(ref _connectionsOpen),
            LoginsSent = Volatile.Read(ref _loginsSent),
            LoginsAcknowledged = Volatile.Read(ref _loginsAcknowledged),
            FramesSent = Volatile.Read(ref _framesSent),
            FramesAcknowledged = Volatile.Read(ref _framesAcknowledged),
            BytesSent = Volatile.Read(ref _bytesSent),
            BytesReceived = Volatile.Read(ref _bytesReceived),
            Gaps = Volatile.Read(ref _gaps),
            SentByCommand = sent,
            AcknowledgedByCommand = acked,
            Errors = errors,
        };
    }
}

/// <summary>A consistent-enough copy of <see cref="FleetCounters"/> for printing and JSON.</summary>
public sealed record CounterSnapshot
{
    public long TerminalsStarted { get; init; }
    public long TerminalsFinished { get; init; }
    public long ConnectAttempts { get; init; }
    public long ConnectionsEstablished { get; init; }
    public long ConnectionsRefused { get; init; }
    public long ConnectionsOpen { get; init; }
    public long LoginsSent { get; init; }
    public long LoginsAcknowledged { get; init; }
    public long FramesSent { get; init; }
    public long FramesAcknowledged { get; init; }
    public long BytesSent { get; init; }
    public long BytesReceived { get; init; }
    /// <summary>Simulated coverage gaps (link dropped, data kept for reissue).</summary>
    public long Gaps { get; init; }
    public IReadOnlyDictionary<string, long> SentByCommand { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> AcknowledgedByCommand { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> Errors { get; init; } = new Dictionary<string, long>();
    public long ErrorTotal => Errors.Values.Sum();
}
