using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Ingest.Forwarder.Diagnostics;
using Ingest.Forwarder.Filters;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using Microsoft.Extensions.Logging;

namespace Ingest.Forwarder.Links;

/// <summary>
/// One superior-platform link: connect, platform login, relay frames from its own spool cursor, heartbeat, and
/// after any outage resume from the last confirmed position, so what was missed is sent again (realtime frames
/// that are no longer fresh go as reissue 0x03 with their original time).
/// </summary>
/// <remarks>
/// Delivery is at least once and in order. The cursor only moves after a confirmation barrier: a heartbeat sent
/// after the relayed frames and answered by the platform proves (TCP being ordered) that the platform read them.
/// A link that drops before the answer resends from the last confirmed position.
/// </remarks>
public sealed class PlatformLink
{
    private readonly PlatformLinkOptions _options;
    private readonly IRelaySource _source;
    private readonly RelayFilter _filter;
    private readonly TimeProvider _time;
    private readonly ForwarderMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Vin _platformCode;
    private ushort _serial;
    private DateOnly _serialDay;
    private long _confirmedOffset = -1;

    public PlatformLink(PlatformLinkOptions options, IRelaySource source, TimeProvider time, ForwarderMetrics metrics, ILogger logger)
    {
        _options = options;
        _source = source;
        _filter = new RelayFilter(options.Filter);
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _platformCode = Vin.Parse(options.PlatformCode);
    }

    public string Name => _options.Name;

    public volatile LinkState State;

    /// <summary>Spool offset up to which the platform confirmed receipt; -1 before the first confirmation.</summary>
    public long ConfirmedOffset => Interlocked.Read(ref _confirmedOffset);

    /// <summary>Frames written since start (including resends).</summary>
    public long FramesRelayed;

    /// <summary>How often the link may confirm (and so commit its cursor) while frames flow. Default 1 s.</summary>
    public TimeSpan ConfirmInterval { get; init; } = TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string endpoint = $"{_options.Host}:{_options.Port}";
        RelayLog.LinkStarting(_logger, Name, endpoint);
        var delay = _options.MinReconnectDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            string failure;
            Exception? error = null;
            try
            {
                var outcome = await RunConnectionAsync(endpoint, cancellationToken);
                if (outcome == ConnectionOutcome.Stopped)
                {
                    break;
                }
                failure = "login_rejected";
                delay = _options.MaxReconnectDelay;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or OperationCanceledException or InvalidDataException)
            {
                failure = ex switch
                {
                    SocketException => "connect",
                    TimeoutException or OperationCanceledException => "timeout",
                    InvalidDataException => "protocol",
                    _ => "io",
                };
                error = ex;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A bug in one link must not stop the host (and with it every terminal port): log it with its
                // stack, count it, and start the link over from its confirmed position.
                failure = "error";
                error = ex;
            }
            _metrics.Failure(Name, failure);
            RelayLog.LinkDown(_logger, error, Name, failure, State, delay);
            State = LinkState.Backoff;
            _source.Rewind();
            try
            {
                await Task.Delay(delay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
        State = LinkState.Stopped;
    }

    private enum ConnectionOutcome
    {
        Stopped,
        LoginRejected,
    }

    private async Task<ConnectionOutcome> RunConnectionAsync(string endpoint, CancellationToken cancellationToken)
    {
        State = LinkState.Connecting;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connectTimeout.CancelAfter(_options.ReplyTimeout);
            await socket.ConnectAsync(_options.Host, _options.Port, connectTimeout.Token);
        }
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        try
        {
            State = LinkState.LoggingIn;
            ushort serial = NextSerial();
            await writer.WriteAsync(PlatformFrames.Login(_platformCode, Now(), serial, _options.Username, _options.Password, _options.EncryptionRule), cancellationToken);
            byte flag = await AwaitReplyAsync(reader, PlatformFrames.PlatformLogin, cancellationToken);
            if (flag != Gb32960ResponseFlags.Success)
            {
                _metrics.LoginRejected(Name);
                RelayLog.LoginRejected(_logger, Name, flag, _options.MaxReconnectDelay);
                return ConnectionOutcome.LoginRejected;
            }
            _metrics.LoggedIn(Name);
            RelayLog.LinkUp(_logger, Name, endpoint, serial, ConfirmedOffset);
            try
            {
                await RelayAsync(reader, writer, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await LogoutAsync(reader, writer, serial);
            }
            return ConnectionOutcome.Stopped;
        }
        finally
        {
            await reader.CompleteAsync();
            await writer.CompleteAsync();
        }
    }

    private async Task RelayAsync(PipeReader reader, PipeWriter writer, CancellationToken cancellationToken)
    {
        long sentUpTo = -1;
        long lastConfirm = _time.GetTimestamp();
        long lastWrite = lastConfirm;
        while (true)
        {
            State = LinkState.Relaying;
            var heartbeatIn = _options.HeartbeatInterval - _time.GetElapsedTime(lastWrite);
            var wait = heartbeatIn < TimeSpan.Zero ? TimeSpan.Zero : Min(heartbeatIn, ConfirmInterval);
            using (var batch = await _source.ReadAsync(_options.BatchFrames, wait, cancellationToken))
            {
                int written = WriteBatch(batch, writer);
                if (written > 0)
                {
                    await writer.FlushAsync(cancellationToken);
                    lastWrite = _time.GetTimestamp();
                }
                if (batch.NextOffset >= 0)
                {
                    sentUpTo = batch.NextOffset;
                }
            }
            bool unconfirmed = sentUpTo > ConfirmedOffset;
            bool confirmDue = unconfirmed && _time.GetElapsedTime(lastConfirm) >= ConfirmInterval;
            bool heartbeatDue = _time.GetElapsedTime(lastWrite) >= _options.HeartbeatInterval;
            if (confirmDue || heartbeatDue)
            {
                State = LinkState.Confirming;
                await writer.WriteAsync(PlatformFrames.HeartbeatFrame(_platformCode), cancellationToken);
                await AwaitReplyAsync(reader, PlatformFrames.Heartbeat, cancellationToken);
                lastWrite = lastConfirm = _time.GetTimestamp();
                if (unconfirmed)
                {
                    await _source.CommitAsync(sentUpTo, cancellationToken);
                    Interlocked.Exchange(ref _confirmedOffset, sentUpTo);
                    RelayLog.Confirmed(_logger, Name, sentUpTo);
                }
            }
        }
    }

    private int WriteBatch(RelayBatch batch, PipeWriter writer)
    {
        int written = 0;
        var staleBefore = _time.GetUtcNow() - _options.RealtimeWindow;
        foreach (var item in batch.Items)
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

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
