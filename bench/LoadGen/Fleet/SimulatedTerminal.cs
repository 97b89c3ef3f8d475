using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using LoadGen.Frames;
using LoadGen.Measurement;
using LoadGen.Scheduling;

namespace LoadGen.Fleet;

/// <summary>
/// One vehicle terminal: connect (bound to its source address), log in and wait for the reply, send realtime
/// frames every interval and heartbeats when idle, drop the link for a coverage gap and send the missed data as
/// reissue after reconnecting, and log out when the run ends. Its send side is one async loop that sleeps on the
/// shared timing wheel; its receive side matches replies to requests and records latency. Every wait is bounded.
/// </summary>
internal sealed class SimulatedTerminal
{
    /// <summary>Receive buffer, rented only while bytes are waiting: replies are small (a login echo at most).</summary>
    private const int ReceiveBufferBytes = 4096;

    private static readonly FramingOptions ReplyFraming = new() { MaxFrameBytes = ReceiveBufferBytes, AllowCustomCommands = true };

    private readonly FleetRun _run;
    private readonly FleetOptions _options;
    private readonly IPEndPoint _target;
    private readonly IPAddress? _source;
    private readonly TimingWheel _wheel;
    private readonly WheelWaiter _waiter = new();
    private readonly long _startTimestamp;
    private readonly int _seed;
    private readonly Random _rng;
    private readonly long _realtimeTicks;
    private readonly long _heartbeatTicks;
    private readonly long _ackTimeoutTicks;
    private readonly long _tickTicks;
    /// <summary>Per command id (terminals send 0x01-0x08 only): kept small, there may be a hundred thousand terminals.</summary>
    private const int TrackedCommands = 16;

    private readonly int[] _sent = new int[TrackedCommands];
    private readonly int[] _acknowledged = new int[TrackedCommands];

    private TerminalFrames? _frames;
    private ReplyMatcher? _matcher;
    private Socket? _socket;
    private volatile bool _closing;
    private volatile bool _receiveEnded;
    private volatile bool _loggedIn;
    private volatile bool _loginRejected;
    private volatile bool _logoutSent;
    private volatile bool _wantsReplyPokes;
    private long _replyEpoch;
    private int _loginSerial;
    private int _infoSerial;
    private long _nextRealtime;
    private int _reissueBacklog;
    private DateTimeOffset _reissueNextTime;

    public SimulatedTerminal(int index, string vin, TerminalProtocol protocol, FleetRun run, IPAddress? source, TimingWheel wheel,
        long startTimestamp, int seed)
    {
        Index = index;
        Vin = vin;
        Protocol = protocol;
        _run = run;
        _options = run.Options;
        _target = _options.TargetFor(protocol);
        _source = source;
        _wheel = wheel;
        _startTimestamp = startTimestamp;
        _seed = seed;
        _rng = new Random(seed);
        _realtimeTicks = FleetRun.ToTimestamps(_options.RealtimeInterval);
        _heartbeatTicks = protocol.HasHeartbeat() && _options.HeartbeatInterval > TimeSpan.Zero ? FleetRun.ToTimestamps(_options.HeartbeatInterval) : long.MaxValue;
        _ackTimeoutTicks = FleetRun.ToTimestamps(_options.AckTimeout);
        _tickTicks = FleetRun.ToTimestamps(_options.SchedulerTick);
        _loginSerial = _rng.Next(0, 100);
        _infoSerial = _rng.Next(0, 1000);
    }

    public int Index { get; }

    public string Vin { get; }

    public TerminalProtocol Protocol { get; }

    public TerminalResult Result() => new(Vin, Protocol, Snapshot(_sent), Snapshot(_acknowledged));

    private FleetCounters Counters => _run.Counters;

    private static Dictionary<byte, int> Snapshot(int[] perCommand)
    {
        var result = new Dictionary<byte, int>();
        for (int c = 0; c < perCommand.Length; c++)
        {
            int n = Volatile.Read(ref perCommand[c]);
            if (n != 0)
            {
                result[(byte)c] = n;
            }
        }
        return result;
    }

    /// <summary>Closes the socket at once (the run's hard limit has passed); every pending operation then fails.</summary>
    public void Abort()
    {
        _closing = true;
        _socket?.Dispose();
        _waiter.Poke();
    }

    public async Task RunAsync()
    {
        Counters.TerminalStarted();
        try
        {
            await SleepUntil(_startTimestamp, wakeOnStop: true);
            if (_run.Stopping)
            {
                return;
            }
            _frames = TerminalFrames.Build(Protocol, Vin, _options.ShapeFor(Protocol), _seed);
            _matcher = new ReplyMatcher(Ingest.Protocol.Primitives.Vin.Parse(Vin), Protocol.Layout(), _options.MaxInFlightPerConnection + 4);
            _nextRealtime = Now + (long)(_rng.NextDouble() * _realtimeTicks);
            int failures = 0;
            while (!_run.Stopping)
            {
                var outcome = await RunConnectionAsync();
                if (outcome == ConnectionOutcome.Finished)
                {
                    break;
                }
                if (outcome == ConnectionOutcome.Gap)
                {
                    failures = 0;
                    await CoverageGapAsync();
                    continue;
                }
                if (++failures > _options.MaxReconnects)
                {
                    break;
                }
                long jitter = (long)(_rng.NextDouble() * FleetRun.ToTimestamps(_options.ReconnectDelay));
                await SleepUntil(Now + FleetRun.ToTimestamps(_options.ReconnectDelay) + jitter, wakeOnStop: true);
            }
        }
        finally
        {
            Counters.TerminalFinished();
        }
    }

    private static long Now => Stopwatch.GetTimestamp();

    private async Task<ConnectionOutcome> RunConnectionAsync()
    {
        var socket = await ConnectAsync();
        if (socket is null)
        {
            return ConnectionOutcome.Failed;
        }
        _socket = socket;
        _closing = false;
        _receiveEnded = false;
        _loggedIn = false;
        _loginRejected = false;
        _logoutSent = false;
        Counters.ConnectionEstablished();
        var receiving = ReceiveLoopAsync(socket);
        var outcome = ConnectionOutcome.Failed;
        try
        {
            outcome = await SessionAsync(socket);
            return outcome;
        }
        finally
        {
            _closing = true;
            Close(socket, abortive: outcome == ConnectionOutcome.Gap);
            await receiving;
            int unanswered = _matcher!.Clear();
            if (unanswered > 0)
            {
                Counters.Error(LoadErrorKind.Unanswered, unanswered);
            }
            Counters.ConnectionClosed();
            _socket = null;
        }
    }

    private async Task<Socket?> ConnectAsync()
    {
        Counters.ConnectAttempt();
        Socket socket;
        try
        {
            socket = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        }
        catch (SocketException ex)
        {
            Counters.Error(ex.SocketErrorCode == SocketError.TooManyOpenSockets ? LoadErrorKind.LocalSocketLimit : LoadErrorKind.ConnectFailed);
            return null;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_run.StopToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            if (_source is not null)
            {
                SourceBinding.Bind(socket, _source);
            }
            await socket.ConnectAsync(_target, timeout.Token);
            return socket;
        }
        catch (OperationCanceledException)
        {
            socket.Dispose();
            if (!_run.Stopping)
            {
                Counters.Error(LoadErrorKind.ConnectTimeout);
            }
            return null;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            Counters.Error(ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => LoadErrorKind.ConnectRefused,
                SocketError.TimedOut => LoadErrorKind.ConnectTimeout,
                SocketError.AddressNotAvailable or SocketError.AddressAlreadyInUse or SocketError.NoBufferSpaceAvailable => LoadErrorKind.SourcePortsExhausted,
                SocketError.TooManyOpenSockets => LoadErrorKind.LocalSocketLimit,
                _ => LoadErrorKind.ConnectFailed,
            });
            return null;
        }
    }

    private async Task<ConnectionOutcome> SessionAsync(Socket socket)
    {
        var frames = _frames!;
        var matcher = _matcher!;

        _loginSerial = FrameTemplate.WrapSerial(_loginSerial + 1);
        frames.Login.Stamp(DateTimeOffset.UtcNow, _loginSerial);
        if (!await SendAsync(socket, frames.Login))
        {
            return ConnectionOutcome.Failed;
        }
        if (!await AwaitLoginAsync())
        {
            return ConnectionOutcome.Failed;
        }

        long now = Now;
        long lastSend = now;
        long gapAt = long.MaxValue;
        if (_options.GapEvery is { } every)
        {
            gapAt = now + (long)(FleetRun.ToTimestamps(every) * (0.5 + _rng.NextDouble()));
            if (gapAt + FleetRun.ToTimestamps(_options.GapDuration) >= _run.DeadlineTimestamp)
            {
                gapAt = long.MaxValue; // the gap would outlast the run
            }
        }
        if (_nextRealtime < now)
        {
            _nextRealtime = now;
        }

        while (!_run.Stopping)
        {
            long epoch = ReplyEpoch;
            now = Now;
            if (_receiveEnded)
            {
                return ConnectionOutcome.Failed;
            }
            if (now - matcher.OldestSentTimestamp > _ackTimeoutTicks)
            {
                Counters.Error(LoadErrorKind.AckTimeout);
                return ConnectionOutcome.Failed;
            }
            if (now >= gapAt)
            {
                await DrainAsync();
                return ConnectionOutcome.Gap;
            }
            if (now >= _nextRealtime && HasRoom(matcher))
            {
                if (!_run.TryTakeRealtimeFrame())
                {
                    break;
                }
                var at = DateTimeOffset.UtcNow;
                _infoSerial = FrameTemplate.WrapSerial(_infoSerial + 1);
                frames.Data.Stamp(Commands.Realtime, at, at, _infoSerial);
                if (!await SendAsync(socket, frames.Data))
                {
                    return ConnectionOutcome.Failed;
                }
                lastSend = now;
                _nextRealtime += _realtimeTicks;
                if (_nextRealtime <= now)
                {
                    _nextRealtime = now + _realtimeTicks; // fell behind: no catch-up burst
                }
            }
            for (int burst = 0; _reissueBacklog > 0 && burst < _options.ReissueBurstFrames && HasRoom(matcher); burst++)
            {
                _infoSerial = FrameTemplate.WrapSerial(_infoSerial + 1);
                frames.Data.Stamp(Commands.Reissue, DateTimeOffset.UtcNow, _reissueNextTime, _infoSerial);
                if (!await SendAsync(socket, frames.Data))
                {
                    return ConnectionOutcome.Failed;
                }
                _reissueBacklog--;
                _reissueNextTime += _options.RealtimeInterval;
                lastSend = Now;
            }
            if (frames.Heartbeat is { } heartbeat && now - lastSend >= _heartbeatTicks && HasRoom(matcher))
            {
                if (!await SendAsync(socket, heartbeat))
                {
                    return ConnectionOutcome.Failed;
                }
                lastSend = now;
            }

            long next = Math.Min(_nextRealtime, gapAt);
            if (_heartbeatTicks != long.MaxValue)
            {
                next = Math.Min(next, lastSend + _heartbeatTicks);
            }
            bool blocked = !HasRoom(matcher);
            if (_reissueBacklog > 0 || blocked)
            {
                next = Math.Min(next, Now + _tickTicks);
            }
            long oldest = matcher.OldestSentTimestamp;
            if (oldest != long.MaxValue)
            {
                next = Math.Min(next, oldest + _ackTimeoutTicks + _tickTicks);
            }
            _wantsReplyPokes = blocked;
            await SleepUntil(next, wakeOnStop: true, blocked ? epoch : NoEpoch);
            _wantsReplyPokes = false;
        }

        if (_options.Logout && !_receiveEnded)
        {
            frames.Logout.Stamp(DateTimeOffset.UtcNow, _loginSerial);
            // Set before sending: the server may answer and close before the send call returns.
            _logoutSent = true;
            await SendAsync(socket, frames.Logout);
        }
        await DrainAsync();
        return ConnectionOutcome.Finished;
    }

    private bool HasRoom(ReplyMatcher matcher) => matcher.Count < _options.MaxInFlightPerConnection;

    /// <summary>Waits for the login reply where the protocol has one; false when the login failed.</summary>
    private async Task<bool> AwaitLoginAsync()
    {
        if (!_options.ExpectsAck(Protocol, Commands.Login))
        {
            _loggedIn = true;
            return true;
        }
        long deadline = Now + _ackTimeoutTicks;
        _wantsReplyPokes = true;
        try
        {
            while (true)
            {
                long epoch = ReplyEpoch;
                if (_loggedIn || _loginRejected || _receiveEnded || Now >= deadline || _run.Stopping)
                {
                    break;
                }
                await SleepUntil(deadline, wakeOnStop: true, epoch);
            }
        }
        finally
        {
            _wantsReplyPokes = false;
        }
        if (!_loggedIn && !_loginRejected && !_receiveEnded && !_run.Stopping)
        {
            Counters.Error(LoadErrorKind.LoginTimeout);
        }
        return _loggedIn;
    }

    /// <summary>Waits until every outstanding request is answered, the link ends, or the drain timeout passes.</summary>
    private async Task DrainAsync()
    {
        long deadline = Now + FleetRun.ToTimestamps(_options.DrainTimeout);
        _wantsReplyPokes = true;
        try
        {
            while (true)
            {
                long epoch = ReplyEpoch;
                if (_matcher!.Count == 0 || _receiveEnded || Now >= deadline)
                {
                    break;
                }
                await SleepUntil(deadline, wakeOnStop: false, epoch);
            }
        }
        finally
        {
            _wantsReplyPokes = false;
        }
    }

    /// <summary>The link is down for the gap; the realtime data it would have carried is queued for reissue.</summary>
    private async Task CoverageGapAsync()
    {
        Counters.Gap();
        long missed = Math.Min(_options.MaxReissuePerGap, (long)(_options.GapDuration / _options.RealtimeInterval));
        if (_reissueBacklog == 0)
        {
            _reissueNextTime = DateTimeOffset.UtcNow;
        }
        _reissueBacklog = (int)Math.Min(int.MaxValue, _reissueBacklog + missed);
        long end = Now + FleetRun.ToTimestamps(_options.GapDuration);
        while (Now < end && !_run.Stopping)
        {
            await SleepUntil(end, wakeOnStop: true);
        }
        _nextRealtime = end;
    }

    private async ValueTask<bool> SendAsync(Socket socket, FrameTemplate frame)
    {
        byte command = frame.Command;
        if (_options.ExpectsAck(Protocol, command) && !_matcher!.TryExpect(command, Now))
        {
            return false; // cannot happen: the loop checks for room and the matcher has headroom for login/logout
        }
        try
        {
            var remaining = frame.Memory;
            while (!remaining.IsEmpty)
            {
                int n = await socket.SendAsync(remaining, SocketFlags.None);
                remaining = remaining[n..];
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (!_closing)
            {
                Counters.Error(LoadErrorKind.SendFailed);
            }
            return false;
        }
        Counters.Sent(command, frame.Length);
        _sent[command % TrackedCommands]++;
        return true;
    }

    private async Task ReceiveLoopAsync(Socket socket)
    {
        byte[]? buffer = null;
        int filled = 0;
        try
        {
            while (true)
            {
                if (filled == 0)
                {
                    if (buffer is not null)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = null;
                    }
                    // Wait for data without holding a buffer: idle connections cost no memory.
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                }
                buffer ??= ArrayPool<byte>.Shared.Rent(ReceiveBufferBytes);
                int n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (n == 0)
                {
                    if (!_closing && !_logoutSent)
                    {
                        Counters.Error(LoadErrorKind.RemoteClosed);
                    }
                    return;
                }
                long received = Now;
                Counters.Received(n);
                filled += n;
                int consumed = ProcessReplies(buffer.AsSpan(0, filled), received);
                if (consumed > 0)
                {
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                }
                if (filled == buffer.Length)
                {
                    Counters.Error(LoadErrorKind.MalformedReply);
                    filled = 0;
                }
                Interlocked.Increment(ref _replyEpoch);
                if (_wantsReplyPokes)
                {
                    _waiter.Poke();
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            if (!_closing && !_logoutSent)
            {
                Counters.Error(LoadErrorKind.ConnectionReset);
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            _receiveEnded = true;
            _waiter.Poke();
        }
    }

    /// <summary>Matches every whole frame in <paramref name="data"/>; returns the bytes consumed.</summary>
    private int ProcessReplies(ReadOnlySpan<byte> data, long receivedTimestamp)
    {
        int consumed = 0;
        while (true)
        {
            var scan = FrameScanner.Scan(data[consumed..], ReplyFraming);
            if (scan.Status == FrameScanStatus.NeedMoreData)
            {
                return consumed;
            }
            consumed += scan.Length;
            if (scan.Status == FrameScanStatus.Skip)
            {
                Counters.Error(LoadErrorKind.MalformedReply);
                continue;
            }
            var match = _matcher!.Match(scan.Header);
            if (match.Skipped > 0)
            {
                Counters.Error(LoadErrorKind.ReplyMissing, match.Skipped);
            }
            switch (match.Outcome)
            {
                case ReplyOutcome.Acknowledged:
                    Counters.Acknowledged(match.Command);
                    Interlocked.Increment(ref _acknowledged[match.Command % TrackedCommands]);
                    _run.Latency.RecordElapsed(match.SentTimestamp, receivedTimestamp);
                    if (match.Command is Commands.Realtime or Commands.Reissue)
                    {
                        _run.DataLatency.RecordElapsed(match.SentTimestamp, receivedTimestamp);
                    }
                    if (match.Command == Commands.Login)
                    {
                        _loggedIn = true;
                    }
                    break;
                case ReplyOutcome.Rejected when match.Command == Commands.Login:
                    Counters.Error(LoadErrorKind.LoginRejected);
                    _loginRejected = true;
                    break;
                case ReplyOutcome.Rejected:
                    Counters.Error(LoadErrorKind.ReplyRejected);
                    break;
                case ReplyOutcome.WrongVin:
                    Counters.Error(LoadErrorKind.ReplyVinMismatch);
                    break;
                default:
                    Counters.Error(LoadErrorKind.UnexpectedReply);
                    break;
            }
        }
    }

    private const long NoEpoch = -1;

    private long ReplyEpoch => Interlocked.Read(ref _replyEpoch);

    /// <summary>
    /// Sleeps on the wheel until <paramref name="dueTimestamp"/> or an early poke. A stop, the end of the link, or a
    /// reply that landed after the caller last looked (its <paramref name="seenEpoch"/>) and before the waiter was
    /// armed wakes it at once, so no event is slept through.
    /// </summary>
    private async ValueTask SleepUntil(long dueTimestamp, bool wakeOnStop, long seenEpoch = NoEpoch)
    {
        if (_wheel.IsDisposed)
        {
            await Task.Delay(_options.SchedulerTick); // only after the hard limit, while the last loops unwind
            return;
        }
        var wait = _wheel.DelayUntil(_waiter, dueTimestamp);
        bool connected = _socket is not null;
        if ((wakeOnStop && _run.Stopping)
            || (connected && (_receiveEnded || _closing))
            || (seenEpoch != NoEpoch && ReplyEpoch != seenEpoch))
        {
            _waiter.Poke();
        }
        await wait;
    }

    private static void Close(Socket socket, bool abortive)
    {
        try
        {
            if (abortive)
            {
                // A coverage gap: the link is simply gone. RST also spares the client side a TIME_WAIT per gap.
                socket.LingerState = new LingerOption(true, 0);
            }
            else
            {
                socket.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        socket.Dispose();
    }

    private enum ConnectionOutcome
    {
        Finished,
        Failed,
        Gap,
    }
}

/// <summary>What one terminal sent and had acknowledged, per command id.</summary>
public sealed record TerminalResult(string Vin, TerminalProtocol Protocol, IReadOnlyDictionary<byte, int> SentByCommand, IReadOnlyDictionary<byte, int> AcknowledgedByCommand)
{
    public int Sent(byte command) => SentByCommand.GetValueOrDefault(command);

    public int Acknowledged(byte command) => AcknowledgedByCommand.GetValueOrDefault(command);

    public int AcknowledgedOf(IEnumerable<byte> commands) => commands.Sum(Acknowledged);

    public int SentOf(IEnumerable<byte> commands) => commands.Sum(Sent);
}
