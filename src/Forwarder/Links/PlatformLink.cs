using System.IO.Pipelines;
using System.Net.Sockets;
using Ingest.Forwarder.Diagnostics;
using Ingest.Forwarder.Filters;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using Microsoft.Extensions.Logging;

namespace Ingest.Forwarder.Links;

/// <summary>
/// One superior-platform link: its connection state machine (connect, platform login, heartbeat, logout) and the
/// relay of frames its spool-consumer loop hands it. The loop owns the cursor, batching, rewind and reconnect backoff;
/// after an outage it resends from the last confirmed position, and realtime frames that are no longer fresh then go
/// as reissue 0x03 with their original time.
/// </summary>
/// <remarks>
/// Delivery is at least once and in order. A batch counts as delivered only behind a confirmation barrier: a
/// heartbeat sent after the relayed frames and answered by the platform proves (TCP being ordered) that the platform
/// read them. The barrier is raised every <see cref="ConfirmInterval"/> while frames flow, when the loop has as many
/// batches unconfirmed as it allows, and at stop. A link that drops before the answer fails every unconfirmed batch,
/// and the loop resends them.
/// </remarks>
public sealed class PlatformLink
{
    private readonly PlatformLinkOptions _options;
    private readonly RelayFilter _filter;
    private readonly TimeProvider _time;
    private readonly ForwarderMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Vin _platformCode;
    private readonly string _endpoint;
    private readonly List<(long NextOffset, TaskCompletionSource Confirmed)> _unconfirmed = [];
    private ushort _serial;
    private DateOnly _serialDay;
    private long _confirmedOffset = -1;
    private bool _started;

    // The connection; null while the link is down.
    private Socket? _socket;
    private NetworkStream? _stream;
    private PipeReader? _reader;
    private PipeWriter? _writer;
    private ushort _loginSerial;
    private long _lastConfirm;
    private long _lastWrite;

    public PlatformLink(PlatformLinkOptions options, TimeProvider time, ForwarderMetrics metrics, ILogger logger)
    {
        _options = options;
        _filter = new RelayFilter(options.Filter);
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _platformCode = Vin.Parse(options.PlatformCode);
        _endpoint = $"{options.Host}:{options.Port}";
    }

    public string Name => _options.Name;

    public volatile LinkState State;

    /// <summary>Spool offset up to which the platform confirmed receipt; -1 before the first confirmation.</summary>
    public long ConfirmedOffset => Interlocked.Read(ref _confirmedOffset);

    /// <summary>Frames written since start (including resends).</summary>
    public long FramesRelayed;

    /// <summary>How often the link may confirm (and so let its cursor move) while frames flow. Default 1 s.</summary>
    public TimeSpan ConfirmInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Connects and logs in. Throws when the platform is unreachable, does not answer or refuses the login.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            _started = true;
            RelayLog.LinkStarting(_logger, Name, _endpoint);
        }
        await CloseConnectionAsync(null).ConfigureAwait(false);
        try
        {
            State = LinkState.Connecting;
            _socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connectTimeout.CancelAfter(_options.ReplyTimeout);
                await _socket.ConnectAsync(_options.Host, _options.Port, connectTimeout.Token).ConfigureAwait(false);
            }
            _stream = new NetworkStream(_socket, ownsSocket: false);
            _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
            _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));

            State = LinkState.LoggingIn;
            _loginSerial = NextSerial();
            await _writer.WriteAsync(PlatformFrames.Login(_platformCode, Now(), _loginSerial, _options.Username, _options.Password, _options.EncryptionRule), cancellationToken).ConfigureAwait(false);
            byte flag = await AwaitReplyAsync(_reader, PlatformFrames.PlatformLogin, cancellationToken).ConfigureAwait(false);
            if (flag != Gb32960ResponseFlags.Success)
            {
                _metrics.LoginRejected(Name);
                RelayLog.LoginRejected(_logger, Name, flag);
                throw new LoginRejectedException($"link {Name}: the platform refused the login with flag 0x{flag:X2}");
            }
            _metrics.LoggedIn(Name);
            RelayLog.LinkUp(_logger, Name, _endpoint, _loginSerial, ConfirmedOffset);
            _lastConfirm = _lastWrite = _time.GetTimestamp();
            State = LinkState.Relaying;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            await FailAsync(exception).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Writes the frames the filter accepts (realtime older than the realtime window as reissue) and returns the task
    /// that completes once the platform confirmed them, or faults when the link drops first.
    /// <paramref name="nextOffset"/> is the spool position after them (records that are not frames for this link included).
    /// </summary>
    public async ValueTask<Task> RelayAsync(IReadOnlyList<RelayItem> items, long nextOffset, CancellationToken cancellationToken)
    {
        var writer = _writer ?? throw new InvalidOperationException($"link {Name} is not connected");
        try
        {
            State = LinkState.Relaying;
            int written = WriteBatch(items, writer);
            if (written == 0 && _unconfirmed.Count == 0)
            {
                Interlocked.Exchange(ref _confirmedOffset, nextOffset); // nothing for this platform: nothing to confirm
                return Task.CompletedTask;
            }
            if (written > 0)
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                _lastWrite = _time.GetTimestamp();
            }
            var confirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _unconfirmed.Add((nextOffset, confirmed));
            if (_time.GetElapsedTime(_lastConfirm) >= ConfirmInterval)
            {
                await ConfirmAsync(writer, cancellationToken).ConfigureAwait(false);
            }
            return confirmed.Task;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            await FailAsync(exception).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Confirms what was written when the confirm interval has passed, or at once with <paramref name="now"/>, and
    /// sends a heartbeat when the link was silent for the heartbeat interval.
    /// </summary>
    public async ValueTask FlushAsync(bool now, CancellationToken cancellationToken)
    {
        if (_writer is not { } writer)
        {
            return;
        }
        try
        {
            bool confirmDue = _unconfirmed.Count > 0 && (now || _time.GetElapsedTime(_lastConfirm) >= ConfirmInterval);
            if (confirmDue || _time.GetElapsedTime(_lastWrite) >= _options.HeartbeatInterval)
            {
                await ConfirmAsync(writer, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            await FailAsync(exception).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Logs out (best effort) and closes the connection; at stop, after the loop committed what was confirmed.</summary>
    public async Task CloseAsync()
    {
        if (_writer is { } writer && _reader is { } reader)
        {
            await LogoutAsync(reader, writer, _loginSerial).ConfigureAwait(false);
        }
        await CloseConnectionAsync(new OperationCanceledException($"link {Name} stopped")).ConfigureAwait(false);
        State = LinkState.Stopped;
    }

    /// <summary>The barrier: a heartbeat after the written frames; its answer confirms every unconfirmed batch.</summary>
    private async Task ConfirmAsync(PipeWriter writer, CancellationToken cancellationToken)
    {
        State = LinkState.Confirming;
        await writer.WriteAsync(PlatformFrames.HeartbeatFrame(_platformCode), cancellationToken).ConfigureAwait(false);
        await AwaitReplyAsync(_reader!, PlatformFrames.Heartbeat, cancellationToken).ConfigureAwait(false);
        _lastWrite = _lastConfirm = _time.GetTimestamp();
        if (_unconfirmed.Count > 0)
        {
            long upTo = _unconfirmed[^1].NextOffset;
            foreach (var (_, confirmed) in _unconfirmed)
            {
                confirmed.TrySetResult();
            }
            _unconfirmed.Clear();
            Interlocked.Exchange(ref _confirmedOffset, upTo);
            RelayLog.Confirmed(_logger, Name, upTo);
        }
        State = LinkState.Relaying;
    }

    /// <summary>The link is down: counted, logged with the state it was in, unconfirmed batches failed, connection closed.</summary>
    private async Task FailAsync(Exception exception)
    {
        string kind = exception switch
        {
            LoginRejectedException => "login_rejected",
            SocketException => "connect",
            TimeoutException or OperationCanceledException => "timeout",
            InvalidDataException => "protocol",
            IOException => "io",
            _ => "error",
        };
        _metrics.Failure(Name, kind);
        RelayLog.LinkDown(_logger, kind == "login_rejected" ? null : exception, Name, kind, State);
        await CloseConnectionAsync(exception).ConfigureAwait(false);
        State = LinkState.Backoff;
    }

    private async Task CloseConnectionAsync(Exception? reason)
    {
        foreach (var (_, confirmed) in _unconfirmed)
        {
            confirmed.TrySetException(reason ?? new IOException($"link {Name} reconnected before the platform confirmed"));
        }
        _unconfirmed.Clear();
        if (_reader is { } reader)
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        if (_writer is { } writer)
        {
            try
            {
                await writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                // Completing flushes what is buffered; on a dead connection that fails, and nothing is lost by it.
            }
        }
        if (_stream is { } stream)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        _socket?.Dispose();
        (_socket, _stream, _reader, _writer) = (null, null, null, null);
    }

    private int WriteBatch(IReadOnlyList<RelayItem> items, PipeWriter writer)
    {
        int written = 0;
        var staleBefore = _time.GetUtcNow() - _options.RealtimeWindow;
        foreach (var item in items)
        {
            var frame = item.Frame.Span;
            if (!WholeFrame.TryValidate(frame, RelayFraming, out var header, out _))
            {
                RelayLog.BadRecord(_logger, Name, item.Offset);
                continue;
            }
            if (!_filter.Accepts(header))
            {
                continue;
            }
            var destination = writer.GetSpan(frame.Length)[..frame.Length];
            frame.CopyTo(destination);
            byte command = header.Command;
            if (command == PlatformFrames.Realtime && header.Layout == HeaderLayout.Gb32960 && item.ReceivedAt < staleBefore)
            {
                PlatformFrames.RewriteAsReissue(destination);
                command = PlatformFrames.Reissue;
                _metrics.Reissued(Name);
            }
            writer.Advance(frame.Length);
            _metrics.Relayed(Name, command, 1);
            written++;
        }
        Interlocked.Add(ref FramesRelayed, written);
        return written;
    }

    private static readonly FramingOptions RelayFraming = new() { MaxFrameBytes = FrameHeader.Overhead + FrameHeader.MaxDataLength };

    /// <summary>Reads platform frames until the reply to <paramref name="command"/>; returns its response flag.</summary>
    private async Task<byte> AwaitReplyAsync(PipeReader reader, byte command, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ReplyTimeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no reply to command 0x{command:X2} within {_options.ReplyTimeout}");
            }
            var buffer = result.Buffer;
            byte? flag = null;
            while (flag is null)
            {
                var scan = FrameScanner.Scan(buffer, RelayFraming);
                if (scan.Status == FrameScanStatus.NeedMoreData)
                {
                    break;
                }
                if (scan.Status == FrameScanStatus.Frame && scan.Header.Command == command && !scan.Header.IsCommand)
                {
                    flag = scan.Header.ResponseFlag;
                }
                // Anything else (acks of relayed frames, downlink commands, junk) is read past.
                buffer = buffer.Slice(scan.Length);
            }
            reader.AdvanceTo(buffer.Start, flag is null ? buffer.End : buffer.Start);
            if (flag is { } f)
            {
                return f;
            }
            if (result.IsCompleted)
            {
                throw new IOException("the platform closed the connection");
            }
        }
    }

    private async Task LogoutAsync(PipeReader reader, PipeWriter writer, ushort serial)
    {
        State = LinkState.LoggingOut;
        using var cts = new CancellationTokenSource(_options.ReplyTimeout);
        try
        {
            await writer.WriteAsync(PlatformFrames.Logout(_platformCode, Now(), serial), cts.Token);
            await AwaitReplyAsync(reader, PlatformFrames.PlatformLogout, cts.Token);
            RelayLog.LoggedOut(_logger, Name);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or OperationCanceledException or SocketException)
        {
            // Best effort at shutdown: the platform also ends the session when the connection closes.
        }
    }

    /// <summary>Login serial: starts at 1 each day (Beijing time), +1 per login, wraps at 65531 (GB/T 32960.3 §1.4.1).</summary>
    private ushort NextSerial()
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().ToOffset(GbTime.Offset).DateTime);
        if (today != _serialDay || _serial >= 65531)
        {
            _serialDay = today;
            _serial = 0;
        }
        return ++_serial;
    }

    private GbTime Now() => GbTime.FromDateTimeOffset(_time.GetUtcNow());

    private sealed class LoginRejectedException(string message) : Exception(message);
}
