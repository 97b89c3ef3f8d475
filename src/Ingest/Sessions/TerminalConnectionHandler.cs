using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Ingest.Diagnostics;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Records;
using Ingest.Signatures;
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
    private readonly SignatureVerifier? _signatures;
    private readonly SignatureMetrics? _signatureMetrics;
    private readonly IDownlinkAnswers? _downlink;

    public TerminalConnectionHandler(IFrameSpool spool, SessionRegistry registry, ReplyWriter replies, IngestMetrics metrics,
        TimeProvider time, FrameBufferPool buffers, ILogger<TerminalConnectionHandler> logger, AdmissionGate admission,
        SignatureVerifier? signatures = null, SignatureMetrics? signatureMetrics = null, IDownlinkAnswers? downlink = null)
    {
        _downlink = downlink;
        _admission = admission;
        _signatures = signatures;
        _signatureMetrics = signatureMetrics;
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
            _downlink?.SessionClosed(session);
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
                    batch.Clear(); // before the advance: the batch points into the read's memory
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
            // The spool's append completes (also when it fails) only once it no longer reads the frames, so nothing
            // of the pipe's memory is still in use here.
            batch.Clear();
        }
    }

    /// <summary>Frames everything complete in <paramref name="buffer"/>, starting spool appends; returns how far it consumed.</summary>
    private SequencePosition FrameAll(TerminalSession session, ReadOnlySequence<byte> buffer, AppendBatch batch)
    {
        var listener = session.Listener;
        // A refused connection ends after this read: what follows the refused frame is neither framed nor counted again.
        while (!session.Refused)
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
        return buffer.Start;
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
                session.Bind(header, login: true);
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
        session.Bind(header, isLogin);
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

    /// <summary>
    /// Writes the edition's login-failure reply (flushed by the loop, which then ends the connection). No output lock:
    /// a refused session was never bound to a VIN, so no downlink command can be writing to it.
    /// </summary>
    private void Refuse(TerminalSession session, in FrameHeader header, ReadOnlySequence<byte> frame)
    {
        session.Refused = true;
        session.MarkClosing(CloseReasons.Refused);
        var output = session.Connection.Transport.Output;
        var request = frame.IsSingleSegment ? frame.FirstSpan : frame.ToArray(); // a refusal is rare: a copy is fine
        int written = _replies.WriteRefusal(session.Listener, header, request, output.GetSpan(ReplyWriter.MaxReplyLength(header)));
        output.Advance(written);
    }

    /// <summary>Adds the frame to the read's spool batch: its envelope header now, its bytes copied by the spool from the pipe.</summary>
    private void StartAppend(TerminalSession session, AppendBatch batch, ReadOnlySequence<byte> frame, in FrameHeader header)
    {
        var flags = SignatureFlags(session, frame, header) | (session.Unfiled ? EnvelopeFlags.Unfiled : EnvelopeFlags.None);
        var buffer = batch.Add(header, frame, FrameEnvelope.HeaderSize, flags);
        FrameEnvelope.WriteHeader(buffer, session.Listener.Options.Protocol, _time.GetUtcNow().ToUnixTimeMilliseconds(),
            session.Id, session.Listener.BoundPort, flags);
    }

    /// <summary>
    /// The listener's signature policy for one frame: Flag leaves the check to the ClickHouse sink (after the
    /// acknowledgement); Reject verifies here, before the spool append, so the acknowledgement can wait for it.
    /// </summary>
    private EnvelopeFlags SignatureFlags(TerminalSession session, ReadOnlySequence<byte> frame, in FrameHeader header)
    {
        var options = session.Listener.Options;
        if (options.Signatures == SignaturePolicy.Off || _signatures is null)
        {
            return EnvelopeFlags.None;
        }
        if (options.Signatures == SignaturePolicy.Flag)
        {
            return EnvelopeSignatures.ToFlags(EnvelopeSignature.Deferred);
        }
        var verdict = Verify(_signatures, frame, header, options);
        if (verdict is SignatureVerdict.Unsigned or SignatureVerdict.NoKey)
        {
            return EnvelopeSignatures.ToFlags(EnvelopeSignature.Deferred); // nothing to refuse: the sink records which
        }
        _signatureMetrics?.Checked(session.Listener.Name, verdict);
        return EnvelopeSignatures.ToFlags(SignatureVerdicts.IsRejected(verdict) ? EnvelopeSignature.Rejected : EnvelopeSignature.Valid);
    }

    /// <summary>The verifier reads one span: a frame split across the pipe's segments is joined in a pooled buffer (Reject only).</summary>
    private static SignatureVerdict Verify(SignatureVerifier verifier, ReadOnlySequence<byte> frame, in FrameHeader header, Hosting.ListenerOptions options)
    {
        if (frame.IsSingleSegment)
        {
            return verifier.Verify(frame.FirstSpan, header, options.Protocol, options.Hj1239UserItems);
        }
        int length = (int)frame.Length;
        var joined = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            frame.CopyTo(joined);
            return verifier.Verify(joined.AsSpan(0, length), header, options.Protocol, options.Hj1239UserItems);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(joined);
        }
    }

    /// <summary>
    /// Appends the read's frames to the spool together and, once the spool has resolved them (one wait for the
    /// whole read), answers the committed ones in order with one flush. Refused frames are not answered; the spool
    /// refuses a suffix of the read, never a frame between two committed ones.
    /// </summary>
    /// <returns>True when the session should end (the vehicle logged out).</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // runs once per read and always waits: no box per read
    private async ValueTask<bool> CommitAndReplyAsync(TerminalSession session, AppendBatch batch, PipeWriter output, long readAt)
    {
        session.State = SessionState.Committing;
        await _spool.AppendAsync(batch.Records);
        bool replied = false, loggedOut = false;
        try
        {
            for (int i = 0; i < batch.Count; i++)
            {
                var result = batch.Records.Result(i);
                var header = batch.Header(i);
                if (_downlink is not null && DownlinkAnswers.Is(header))
                {
                    // Stored or not, the terminal did answer: the waiting command hears it. ReplyWriter never answers it.
                    _downlink.Offer(session, header, batch.Bytes(i), result.Status == SpoolAppendStatus.Committed);
                }
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
                if (EnvelopeSignatures.Of(batch.EnvelopeFlags(i)) == EnvelopeSignature.Rejected)
                {
                    // Spooled for the quarantine table only; the terminal gets no acknowledgement.
                    _metrics.FrameRejected(session.Listener.Name, "signature_invalid");
                    continue;
                }
                session.FramesAccepted++;
                string command = DiagnosticNames.Hex(header.Command);
                _metrics.FrameAccepted(ProtocolName(header), command, batch.FrameLength(i));
                if (header.Command == 0x01 && header.IsCommand)
                {
                    _metrics.Login(session.Listener.Name, ProtocolName(header));
                }
                loggedOut |= header.Command == 0x04 && header.IsCommand;

                var kind = ReplyWriter.Classify(session.Listener, header);
                if (kind != ReplyKind.None)
                {
                    if (!replied)
                    {
                        // One writer at a time: a downlink command may be writing to this connection.
                        if (!session.OutputLock.TryEnter())
                        {
                            await session.OutputLock.EnterAsync(CancellationToken.None);
                        }
                        replied = true;
                    }
                    session.State = SessionState.Replying;
                    var span = output.GetSpan(ReplyWriter.MaxReplyLength(header));
                    output.Advance(WriteReply(kind, header, batch.Bytes(i), span));
                    _metrics.ReplySent(command);
                }
            }
            if (replied)
            {
                await output.FlushAsync();
                _metrics.AckLatency(readAt);
            }
        }
        finally
        {
            if (replied)
            {
                session.OutputLock.Exit();
            }
        }
        if (loggedOut)
        {
            session.MarkClosing(CloseReasons.Logout);
        }
        return loggedOut;
    }

    /// <summary>Writes the reply; a frame split across pipe segments (rare: a read boundary inside it) is joined first.</summary>
    private int WriteReply(ReplyKind kind, in FrameHeader header, ReadOnlySequence<byte> frame, Span<byte> destination)
    {
        if (frame.IsSingleSegment)
        {
            return _replies.Write(kind, header, frame.FirstSpan, destination);
        }
        var joined = ArrayPool<byte>.Shared.Rent((int)frame.Length);
        try
        {
            frame.CopyTo(joined);
            return _replies.Write(kind, header, joined.AsSpan(0, (int)frame.Length), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(joined);
        }
    }

    private static string ProtocolName(in FrameHeader header) => header.Layout == HeaderLayout.Hj1239
        ? "hj1239"
        : header.Marker == FrameMarker.Dollar ? "gb32960_2025" : "gb32960_2016";
}
