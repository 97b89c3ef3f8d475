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
    private readonly FrameBufferPool _buffers;
    private readonly ILogger<TerminalConnectionHandler> _logger;
    private readonly AdmissionGate _admission;

    public TerminalConnectionHandler(IFrameSpool spool, SessionRegistry registry, ReplyWriter replies, IngestMetrics metrics,
        TimeProvider time, FrameBufferPool buffers, ILogger<TerminalConnectionHandler> logger, AdmissionGate admission)
    {
        _admission = admission;
        _spool = spool;
        _registry = registry;
        _replies = replies;
        _metrics = metrics;
        _time = time;
        _buffers = buffers;
        _logger = logger;
    }

    public AdmissionGate Admission => _admission;

    public async Task HandleAsync(ConnectionContext connection, ListenerRuntime listener)
    {
        if (!_admission.TryConnect(listener, connection))
        {
            connection.Abort(new ConnectionAbortedException(CloseReasons.RateLimited));
            return;
        }
        if (!listener.TryEnter())
        {
            _metrics.ConnectionRefused(listener.Name);
            if (listener.ShouldReportFull())
            {
                SessionLog.ConnectionRefused(_logger, listener.Name, listener.ActiveConnections, listener.MaxConnections,
                    listener.Budget.MaxConnections, connection.RemoteEndPoint);
            }
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
        var batch = new AppendBatch(_buffers);
        try
        {
            while (true)
            {
                session.State = SessionState.Reading;
                // A cancelled read is the idle sweep waking this loop to look at an overdue partial frame; the
                // connection ends only by the close token or the end of input.
                var result = await input.ReadAsync(closeRequested);
                session.PartialFrameCheckDone();
                var buffer = result.Buffer;
                long readAt = Stopwatch.GetTimestamp();
                session.BytesRead = session.StreamOffset + buffer.Length;

                session.State = SessionState.Framing;
                var consumed = FrameAll(session, buffer, batch);
                if (session.Refused)
                {
                    // Nothing of this connection was appended: send the refusal (if the protocol has one) and close.
                    await output.FlushAsync(closeRequested);
                    return;
                }
                bool endSession = false;
                if (batch.Count > 0)
                {
                    endSession = await CommitAndReplyAsync(session, batch, output, readAt);
                }
                input.AdvanceTo(consumed, buffer.End);
                if (endSession || result.IsCompleted)
                {
                    return;
                }
            }
        }
        finally
        {
            // After a failure part-way through a batch, its other appends may still be reading their buffers.
            await batch.ReleaseAsync();
        }
    }

    /// <summary>Frames everything complete in <paramref name="buffer"/>, starting spool appends; returns how far it consumed.</summary>
    private SequencePosition FrameAll(TerminalSession session, ReadOnlySequence<byte> buffer, AppendBatch batch)
    {
        var listener = session.Listener;
        while (true)
        {
            var scan = FrameScanner.Scan(buffer, listener.Framing);
            if (scan.Status == FrameScanStatus.NeedMoreData)
            {
                if (!TryAbandonOverdue(session, buffer, out scan))
                {
                    return buffer.Start;
                }
            }
            if (scan.Status == FrameScanStatus.Skip)
            {
                ReportSkip(session, scan);
            }
            else if (Admit(session, scan.Header, buffer.Slice(0, scan.Length)))
            {
                session.FrameCompleted(_time.GetTimestamp());
                StartAppend(session, batch, buffer.Slice(0, scan.Length), scan.Header);
            }
            else if (session.Refused)
            {
                return buffer.Start;
            }
            session.StreamOffset += scan.Length;
            buffer = buffer.Slice(scan.Length);
        }
    }

    /// <summary>
    /// Called when the read ends inside a frame: starts that frame's clock, or, when it has waited longer than the
    /// listener's PartialFrameTimeout, lets the framer give it up (skip its marker and scan on from there).
    /// </summary>
    private bool TryAbandonOverdue(TerminalSession session, ReadOnlySequence<byte> buffer, out FrameScanResult abandoned)
    {
        abandoned = default;
        if (buffer.IsEmpty)
        {
            session.NoPartialFrameWaiting();
            return false;
        }
        long now = _time.GetTimestamp();
        if (session.PartialFrameStart != session.StreamOffset || session.PartialFrameSince is not { } since)
        {
            session.WaitingOnPartialFrame(session.StreamOffset, now);
            return false;
        }
        var waited = _time.GetElapsedTime(since, now);
        if (waited <= session.Listener.Options.PartialFrameTimeout)
        {
            return false;
        }
        abandoned = FrameScanner.Abandon(buffer, session.Listener.Framing);
        session.NoPartialFrameWaiting();
        SessionLog.PartialFrameAbandoned(_logger, session.Connection.ConnectionId, session.BoundVinText, session.StreamOffset, waited, abandoned.Error);
        return true;
    }

    private void ReportSkip(TerminalSession session, in FrameScanResult scan)
    {
        _metrics.DecodeError(session.Listener.Name, scan.Error.Kind, scan.Length);
        if (scan.Error.Kind == DecodeErrorKind.Junk)
        {
            SessionLog.JunkSkipped(_logger, session.Connection.ConnectionId, scan.Length, session.StreamOffset);
        }
        else if (scan.Error.Kind != DecodeErrorKind.Abandoned) // an abandoned frame is logged with how long it waited
        {
            SessionLog.MalformedInput(_logger, session.Connection.ConnectionId, session.BoundVinText, scan.Length, session.StreamOffset, scan.Error);
        }
    }

    /// <summary>
    /// Applies the VIN binding: the first login (or first frame) binds the connection if the admission gate lets its
    /// VIN in; other VINs are refused. A refused connection gets its login-failure reply and ends.
    /// </summary>
    private bool Admit(TerminalSession session, in FrameHeader header, ReadOnlySequence<byte> frame)
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
        var verdict = _admission.Decide(session, header, frame, out _);
        if (verdict == AdmissionVerdict.Refused)
        {
            Refuse(session, header, frame);
            return false;
        }
        session.Unfiled = verdict == AdmissionVerdict.AdmittedUnfiled;
        session.Bind(vin, isLogin);
        // Only an admitted login takes over a VIN that is online: a refused one never reaches this line.
        if (_registry.Claim(vin, session) is { } previous)
        {
            SessionLog.DuplicateLogin(_logger, session.BoundVinText!, session.Connection.ConnectionId, session.Connection.RemoteEndPoint,
                previous.Connection.ConnectionId, previous.Connection.RemoteEndPoint);
            previous.Close(CloseReasons.Replaced);
        }
        _admission.Claimed(session);
        return true;
    }

    /// <summary>Writes the edition's login-failure reply (flushed by the loop, which then ends the connection).</summary>
    private void Refuse(TerminalSession session, in FrameHeader header, ReadOnlySequence<byte> frame)
    {
        session.Refused = true;
        session.MarkClosing(CloseReasons.Refused);
        var output = session.Connection.Transport.Output;
        var request = frame.IsSingleSegment ? frame.FirstSpan : frame.ToArray(); // a refusal is rare: a copy is fine
        int written = _replies.WriteRefusal(session.Listener, header, request, output.GetSpan(ReplyWriter.MaxReplyLength(header)));
        output.Advance(written);
    }

    private void StartAppend(TerminalSession session, AppendBatch batch, ReadOnlySequence<byte> frame, in FrameHeader header)
    {
        int frameLength = (int)frame.Length;
        int size = FrameEnvelope.SizeFor(frameLength);
        var buffer = batch.Rent(size);
        FrameEnvelope.WriteHeader(buffer, session.Listener.Options.Protocol, _time.GetUtcNow().ToUnixTimeMilliseconds(),
            session.Id, session.Listener.BoundPort, session.Unfiled ? EnvelopeFlags.Unfiled : EnvelopeFlags.None);
        frame.CopyTo(buffer.AsSpan(FrameEnvelope.HeaderSize));
        batch.StartAppend(_spool, buffer, size, header, FrameEnvelope.HeaderSize, frameLength);
    }

    /// <returns>True when the session should end (the vehicle logged out).</returns>
    private async ValueTask<bool> CommitAndReplyAsync(TerminalSession session, AppendBatch batch, PipeWriter output, long readAt)
    {
        session.State = SessionState.Committing;
        bool replied = false, loggedOut = false;
        for (int i = 0; i < batch.Count; i++)
        {
            var result = await batch.CompleteAsync(i);
            if (result.Status != SpoolAppendStatus.Committed)
            {
                if (result.Status == SpoolAppendStatus.Full)
                {
                    _metrics.FrameRejected(session.Listener.Name, "spool_full");
                    SessionLog.SpoolFull(_logger, session.BoundVinText ?? "?", session.Connection.ConnectionId);
                }
                else
                {
                    _metrics.FrameRejected(session.Listener.Name, "spool_unavailable");
                    SessionLog.SpoolUnavailable(_logger, session.BoundVinText ?? "?", session.Connection.ConnectionId);
                }
                continue;
            }
            var header = batch.Header(i);
            session.FramesAccepted++;
            string command = DiagnosticNames.Hex(header.Command);
            _metrics.FrameAccepted(ProtocolName(header), command, batch.FrameLength(i));
            if (header.Command == 0x01 && header.IsCommand)
            {
                _metrics.Login(ProtocolName(header));
            }
            loggedOut |= header.Command == 0x04 && header.IsCommand;

            var kind = ReplyWriter.Classify(session.Listener, header);
            if (kind != ReplyKind.None)
            {
                session.State = SessionState.Replying;
                var span = output.GetSpan(ReplyWriter.MaxReplyLength(header));
                int written = _replies.Write(kind, header, batch.Frame(i), span);
                output.Advance(written);
                _metrics.ReplySent(command);
                replied = true;
            }
        }
        // Every append of the batch has completed: the buffers can go back to the pool.
        await batch.ReleaseAsync();
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
}
