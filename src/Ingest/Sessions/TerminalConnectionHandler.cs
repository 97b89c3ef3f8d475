using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Ingest.Diagnostics;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Records;
using Ingest.Spool;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Ingest.Sessions;

/// <summary>
/// Runs one terminal connection over its pipes: frame what arrives, check the VIN binding, append every frame to
/// the spool, and only once the spool has committed it, answer as the protocol and the listener's policy require.
/// All complete frames of one read are appended together so they share a group commit, then answered in order
/// with a single flush.
/// </summary>
public sealed class TerminalConnectionHandler
{
    private readonly IFrameSpool _spool;
    private readonly SessionRegistry _registry;
    private readonly ReplyWriter _replies;
    private readonly IngestMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<TerminalConnectionHandler> _logger;

    public TerminalConnectionHandler(IFrameSpool spool, SessionRegistry registry, ReplyWriter replies, IngestMetrics metrics,
        TimeProvider time, ILogger<TerminalConnectionHandler> logger)
    {
        _spool = spool;
        _registry = registry;
        _replies = replies;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public async Task HandleAsync(ConnectionContext connection, ListenerRuntime listener)
    {
        if (!listener.TryEnter())
        {
            _metrics.ConnectionRefused(listener.Name);
            SessionLog.ConnectionRefused(_logger, listener.Name, listener.Options.MaxConnections, connection.RemoteEndPoint);
            connection.Abort(new ConnectionAbortedException("listener full"));
            return;
        }
        var session = new TerminalSession(connection, listener, _time.GetTimestamp());
        _registry.Add(session);
        _metrics.ConnectionOpened(listener.Name);
        SessionLog.ConnectionOpened(_logger, connection.ConnectionId, connection.RemoteEndPoint, listener.Name);
        // Shutdown asks connections to close through this token; the current read's frames are still committed
        // and answered before the loop ends.
        var closeRequested = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested
            ?? connection.ConnectionClosed;
        try
        {
            await RunAsync(session, closeRequested);
            session.MarkClosing(closeRequested.IsCancellationRequested ? CloseReasons.Shutdown : CloseReasons.RemoteClosed);
        }
        catch (OperationCanceledException)
        {
            session.MarkClosing(CloseReasons.Shutdown);
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException or IOException)
        {
            session.MarkClosing(CloseReasons.RemoteClosed);
        }
        catch (Exception ex)
        {
            session.MarkClosing(CloseReasons.Error);
            SessionLog.SessionFaulted(_logger, ex, connection.ConnectionId, session.BoundVinText, session.State, session.BytesRead);
        }
        finally
        {
            session.State = SessionState.Closing;
            _registry.Remove(session);
            listener.Leave();
            _metrics.ConnectionClosed(listener.Name, session.CloseReason ?? CloseReasons.RemoteClosed);
            SessionLog.ConnectionClosed(_logger, connection.ConnectionId, session.BoundVinText, session.CloseReason ?? CloseReasons.RemoteClosed,
                session.FramesAccepted, session.BytesRead, session.State);
        }
    }

    private async Task RunAsync(TerminalSession session, CancellationToken closeRequested)
    {
        var input = session.Connection.Transport.Input;
        var output = session.Connection.Transport.Output;
        var batch = new List<PendingFrame>();
        while (true)
        {
            session.State = SessionState.Reading;
            var result = await input.ReadAsync(closeRequested);
            var buffer = result.Buffer;
            long readAt = Stopwatch.GetTimestamp();
            session.Touch(_time.GetTimestamp());
            session.BytesRead = session.StreamOffset + buffer.Length;

            session.State = SessionState.Framing;
            var consumed = FrameAll(session, buffer, batch);
            bool endSession = false;
            if (batch.Count > 0)
            {
                endSession = await CommitAndReplyAsync(session, batch, output, readAt);
            }
            input.AdvanceTo(consumed, buffer.End);
            if (endSession || result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>Frames everything complete in <paramref name="buffer"/>, starting spool appends; returns how far it consumed.</summary>
    private SequencePosition FrameAll(TerminalSession session, ReadOnlySequence<byte> buffer, List<PendingFrame> batch)
    {
        var listener = session.Listener;
        while (true)
        {
            var scan = FrameScanner.Scan(buffer, listener.Framing);
            if (scan.Status == FrameScanStatus.NeedMoreData)
            {
                return buffer.Start;
            }
            if (scan.Status == FrameScanStatus.Skip)
            {
                ReportSkip(session, scan);
            }
            else if (Admit(session, scan.Header))
            {
                batch.Add(StartAppend(session, buffer.Slice(0, scan.Length), scan.Header));
            }
            session.StreamOffset += scan.Length;
            buffer = buffer.Slice(scan.Length);
        }
    }

    private void ReportSkip(TerminalSession session, in FrameScanResult scan)
    {
        _metrics.DecodeError(session.Listener.Name, scan.Error.Kind, scan.Length);
        if (scan.Error.Kind == DecodeErrorKind.Junk)
        {
            SessionLog.JunkSkipped(_logger, session.Connection.ConnectionId, scan.Length, session.StreamOffset);
        }
        else
        {
            SessionLog.MalformedInput(_logger, session.Connection.ConnectionId, session.BoundVinText, scan.Length, session.StreamOffset, scan.Error);
        }
    }

    /// <summary>Applies the VIN binding: the first login (or first frame) binds the connection; other VINs are refused.</summary>
    private bool Admit(TerminalSession session, in FrameHeader header)
    {
        var vin = header.Vin;
        bool isLogin = header.Command == 0x01 && header.IsCommand;
        if (session.BoundVin is { } bound)
        {
            if (bound != vin)
            {
                _metrics.FrameRejected(session.Listener.Name, "vin_mismatch");
                SessionLog.VinMismatch(_logger, session.Connection.ConnectionId, session.BoundVinText!, vin.ToString(), session.StreamOffset);
                return false;
            }
            if (isLogin && !session.LoggedIn)
            {
                session.Bind(vin, login: true);
            }
            return true;
        }
        if (!isLogin && !session.Listener.Options.AllowFramesBeforeLogin)
        {
            _metrics.FrameRejected(session.Listener.Name, "not_logged_in");
            SessionLog.NotLoggedIn(_logger, session.Connection.ConnectionId);
            return false;
        }
        session.Bind(vin, isLogin);
        if (_registry.Claim(vin, session) is { } previous)
        {
            SessionLog.DuplicateLogin(_logger, session.BoundVinText!, session.Connection.ConnectionId, previous.Connection.ConnectionId);
            previous.Close(CloseReasons.Replaced);
        }
        return true;
    }

    private PendingFrame StartAppend(TerminalSession session, ReadOnlySequence<byte> frame, in FrameHeader header)
    {
        int frameLength = (int)frame.Length;
        int size = FrameEnvelope.SizeFor(frameLength);
        var rented = ArrayPool<byte>.Shared.Rent(size);
        FrameEnvelope.WriteHeader(rented, session.Listener.Options.Protocol, _time.GetUtcNow().ToUnixTimeMilliseconds(),
            session.Id, session.Listener.BoundPort);
        frame.CopyTo(rented.AsSpan(FrameEnvelope.HeaderSize));
        var append = _spool.AppendAsync(rented.AsMemory(0, size), CancellationToken.None);
        return new PendingFrame(header, rented, frameLength, append);
    }

    /// <returns>True when the session should end (the vehicle logged out).</returns>
    private async ValueTask<bool> CommitAndReplyAsync(TerminalSession session, List<PendingFrame> batch, PipeWriter output, long readAt)
    {
        session.State = SessionState.Committing;
        bool replied = false, loggedOut = false;
        try
        {
            foreach (var pending in batch)
            {
                var result = await pending.Append;
                if (result.Status != SpoolAppendStatus.Committed)
                {
                    _metrics.FrameRejected(session.Listener.Name, "spool_full");
                    SessionLog.SpoolFull(_logger, session.BoundVinText ?? "?", session.Connection.ConnectionId);
                    continue;
                }
                var header = pending.Header;
                session.FramesAccepted++;
                string command = DiagnosticNames.Hex(header.Command);
                _metrics.FrameAccepted(ProtocolName(header), command, pending.FrameLength);
                if (header.Command == 0x01 && header.IsCommand)
                {
                    _metrics.Login(ProtocolName(header));
                }
                loggedOut |= header.Command == 0x04 && header.IsCommand;

                var kind = ReplyWriter.Classify(session.Listener, header);
                if (kind != ReplyKind.None)
                {
                    session.State = SessionState.Replying;
                    var frame = pending.Buffer.AsSpan(FrameEnvelope.HeaderSize, pending.FrameLength);
                    var span = output.GetSpan(ReplyWriter.MaxReplyLength(header));
                    int written = _replies.Write(kind, header, frame, span);
                    output.Advance(written);
                    _metrics.ReplySent(command);
                    replied = true;
                }
            }
        }
        finally
        {
            foreach (var pending in batch)
            {
                ArrayPool<byte>.Shared.Return(pending.Buffer);
            }
            batch.Clear();
        }
        if (replied)
        {
            await output.FlushAsync();
            _metrics.AckLatency(readAt);
        }
        if (loggedOut)
        {
            session.MarkClosing(CloseReasons.Logout);
        }
        return loggedOut;
    }

    private static string ProtocolName(in FrameHeader header) => header.Layout == HeaderLayout.Hj1239
        ? "hj1239"
        : header.Marker == FrameMarker.Dollar ? "gb32960_2025" : "gb32960_2016";

    private readonly record struct PendingFrame(FrameHeader Header, byte[] Buffer, int FrameLength, ValueTask<SpoolAppendResult> Append);
}
