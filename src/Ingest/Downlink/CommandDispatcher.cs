using System.Buffers;
using System.Collections.Concurrent;
using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Primitives;
using Ingest.Sessions;
using Ingest.Sinks.Redis;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Downlink;

/// <summary>
/// Sends downlink commands down a vehicle's live connection and hands each terminal answer to the command waiting
/// for it (the session loop offers answers through <see cref="IDownlinkAnswers"/>).
/// <para>
/// <b>Correlation.</b> Neither standard numbers its commands: an answer carries only the command id (and, in GB/T
/// 32960, a result flag), so two outstanding commands of the same id could not be told apart, and terminals are not
/// known to answer in order. One command per vehicle waits at a time; a second is answered <c>busy</c> at once.
/// An answer counts for the waiting command when it comes on the connection the command was written to and has its
/// command id; anything else (an answer after the timeout, a stray 0x80) is stored and counted, and reaches nobody.
/// </para>
/// <para>
/// <b>Writing.</b> The command is written under the session's output lock, the lock the loop holds while it writes
/// and flushes a read's acknowledgements, so frames never interleave on the wire.
/// </para>
/// <para>
/// <b>Where the vehicle is.</b> This node's session registry first; without a session here, the vehicle's live state
/// (Redis, shared by every node) says whether it is online on another node, by the node name each node writes into it.
/// The command is not forwarded there: the caller is told which node to ask.
/// </para>
/// </summary>
public sealed class CommandDispatcher : IDownlinkAnswers
{
    /// <summary>How long the live-state look-up may take before the vehicle is reported offline without it.</summary>
    private static readonly TimeSpan StateLookupTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<Vin, Pending> _pending = new();
    private readonly SessionRegistry _sessions;
    private readonly IVehicleStateStore _states;
    private readonly CommandOptions _options;
    private readonly string _node;
    private readonly TimeProvider _time;
    private readonly CommandMetrics _metrics;
    private readonly ILogger<CommandDispatcher> _logger;

    public CommandDispatcher(SessionRegistry sessions, IVehicleStateStore states, IOptions<CommandOptions> options, IOptions<IngestOptions> ingest,
        TimeProvider time, CommandMetrics metrics, ILogger<CommandDispatcher> logger)
    {
        _sessions = sessions;
        _states = states;
        _options = options.Value;
        _node = ingest.Value.NodeName;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    public CommandOptions Options => _options;

    /// <summary>True while a command to <paramref name="vin"/> is being written or waits for its answer.</summary>
    public bool IsInFlight(Vin vin) => _pending.ContainsKey(vin);

    /// <summary>Counts a request refused for its content before any look-up (answered 400).</summary>
    public void Invalid(string command) => _metrics.Result(command, "invalid");

    /// <summary>Sends <paramref name="command"/> to <paramref name="vin"/> and waits up to <paramref name="timeout"/> for the answer.</summary>
    public async Task<CommandOutcome> SendAsync(Vin vin, DownlinkCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var outcome = await SendCoreAsync(vin, command, timeout, cancellationToken).ConfigureAwait(false);
        _metrics.Result(command.Name, outcome.Name);
        if (outcome.Latency is { } latency)
        {
            _metrics.Latency(command.Name, outcome.Name, latency.TotalSeconds);
        }
        return outcome;
    }

    private async Task<CommandOutcome> SendCoreAsync(Vin vin, DownlinkCommand command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_sessions.TryGetByVin(vin, out var session) || session is null)
        {
            return await LocateAsync(vin, cancellationToken).ConfigureAwait(false);
        }
        var binding = session.BindingHeader;
        string protocol = CommandFrames.ProtocolName(binding);
        if (CommandFrames.Unsupported(command, binding, session.Listener.Options.Protocol, _options) is { } problem)
        {
            return new CommandOutcome(CommandOutcomeKind.NotSupported) { Protocol = protocol, Detail = problem };
        }
        var pending = new Pending(session, command.CommandId);
        if (!_pending.TryAdd(vin, pending))
        {
            return new CommandOutcome(CommandOutcomeKind.Busy) { Protocol = protocol };
        }
        string vinText = session.BoundVinText ?? vin.ToString();
        try
        {
            var sentAt = _time.GetUtcNow();
            var frame = CommandFrames.Encode(command, binding, GbTime.FromDateTimeOffset(sentAt), _options);
            using var deadline = new CancellationTokenSource(timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
            if (!await TryWriteAsync(session, frame, linked.Token).ConfigureAwait(false))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return new CommandOutcome(CommandOutcomeKind.Cancelled) { Protocol = protocol, Detail = "the caller went away before the command was written" };
                }
                if (deadline.IsCancellationRequested)
                {
                    CommandLog.TimedOut(_logger, vinText, command.Name, timeout);
                    return new CommandOutcome(CommandOutcomeKind.Timeout)
                    {
                        Protocol = protocol, Detail = "the command could not be written within the timeout: the connection takes no data",
                    };
                }
                CommandLog.ConnectionLost(_logger, vinText, command.Name, session.CloseReason ?? "write failed");
                return new CommandOutcome(CommandOutcomeKind.Disconnected)
                {
                    Protocol = protocol, Detail = "the connection ended before the command could be written", Sent = frame,
                };
            }
            long written = _time.GetTimestamp();
            _metrics.Sent(protocol, command.Name);
            CommandLog.Sent(_logger, command.Name, DiagnosticsHex(command.CommandId), vinText, session.Connection.ConnectionId, timeout);
            Answer? answer;
            try
            {
                answer = await pending.Answer.Task.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new CommandOutcome(CommandOutcomeKind.Cancelled) { Protocol = protocol, SentAt = sentAt, Sent = frame };
            }
            catch (OperationCanceledException)
            {
                CommandLog.TimedOut(_logger, vinText, command.Name, timeout);
                return new CommandOutcome(CommandOutcomeKind.Timeout) { Protocol = protocol, SentAt = sentAt, Sent = frame };
            }
            if (answer is null)
            {
                string reason = session.CloseReason ?? CloseReasons.RemoteClosed;
                CommandLog.ConnectionLost(_logger, vinText, command.Name, reason);
                return new CommandOutcome(CommandOutcomeKind.Disconnected)
                {
                    Protocol = protocol, SentAt = sentAt, Sent = frame, Detail = $"the connection ended ({reason}) before the terminal answered",
                };
            }
            var latency = _time.GetElapsedTime(written, answer.At);
            var kind = IsSuccess(answer.Header) ? CommandOutcomeKind.Accepted : CommandOutcomeKind.Refused;
            CommandLog.Answered(_logger, vinText, command.Name, CommandOutcome.NameOf(kind), FlagText(answer.Header), latency.TotalSeconds);
            return new CommandOutcome(kind)
            {
                Protocol = protocol, SentAt = sentAt, Sent = frame, Answer = answer.Frame, AnswerHeader = answer.Header,
                AnswerStored = answer.Stored, Latency = latency,
            };
        }
        finally
        {
            _pending.TryRemove(new KeyValuePair<Vin, Pending>(vin, pending));
        }
    }

    /// <summary>GB/T 32960: flag 0x01, or 0xFE (some terminals answer so, digest §1.4.5). HJ 1239 answers carry no flag.</summary>
    private static bool IsSuccess(in FrameHeader answer) =>
        answer.Layout == HeaderLayout.Hj1239 || answer.ResponseFlag is Gb32960ResponseFlags.Success or Gb32960ResponseFlags.Command;

    public static string FlagText(in FrameHeader answer) =>
        answer.Layout == HeaderLayout.Hj1239 ? "none" : Gb32960JsonWriter.FlagName(answer.ResponseFlag);

    private static string DiagnosticsHex(byte value) => Diagnostics.DiagnosticNames.Hex(value);

    /// <summary>No session here: the live state tells offline from connected elsewhere.</summary>
    private async Task<CommandOutcome> LocateAsync(Vin vin, CancellationToken cancellationToken)
    {
        VehicleState? state;
        try
        {
            state = await _states.GetAsync(vin.ToString(), cancellationToken).AsTask()
                .WaitAsync(StateLookupTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new CommandOutcome(CommandOutcomeKind.Offline)
            {
                Detail = $"not connected to this node ({_node}); the live state that would say which node holds it could not be read: {ex.Message}",
            };
        }
        if (state is { Online: true, Node: { Length: > 0 } node } && node != _node)
        {
            return new CommandOutcome(CommandOutcomeKind.OtherNode) { Node = node, LastSeen = state.LastSeen, Protocol = state.Protocol };
        }
        return new CommandOutcome(CommandOutcomeKind.Offline) { LastSeen = state?.LastSeen, Protocol = state?.Protocol };
    }

    /// <summary>Writes and flushes the frame under the session's output lock; false when the connection is gone.</summary>
    private static async Task<bool> TryWriteAsync(TerminalSession session, byte[] frame, CancellationToken cancellationToken)
    {
        try
        {
            await session.OutputLock.EnterAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        try
        {
            if (session.State == SessionState.Closing || session.CloseReason is not null)
            {
                return false;
            }
            var output = session.Connection.Transport.Output;
            output.Write(frame);
            var flushed = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return !flushed.IsCompleted && !flushed.IsCanceled;
        }
        // The connection may end between the check and the write: Kestrel completes its output after the loop returns.
        catch (Exception ex) when (ex is InvalidOperationException or IOException or ConnectionResetException or ConnectionAbortedException
            or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            session.OutputLock.Exit();
        }
    }

    /// <inheritdoc />
    public void Offer(TerminalSession session, in FrameHeader header, ReadOnlySequence<byte> frame, bool stored)
    {
        if (session.BoundVin is { } vin && _pending.TryGetValue(vin, out var pending) && ReferenceEquals(pending.Session, session)
            && pending.CommandId == header.Command
            && pending.Answer.TrySetResult(new Answer(frame.ToArray(), header, stored, _time.GetTimestamp())))
        {
            return;
        }
        string command = Diagnostics.DiagnosticNames.Hex(header.Command);
        _metrics.Unsolicited(command);
        CommandLog.Unsolicited(_logger, session.BoundVinText ?? header.Vin.ToString(), command);
    }

    /// <inheritdoc />
    public void SessionClosed(TerminalSession session)
    {
        if (session.BoundVin is { } vin && _pending.TryGetValue(vin, out var pending) && ReferenceEquals(pending.Session, session))
        {
            pending.Answer.TrySetResult(null);
        }
    }

    private sealed record Answer(byte[] Frame, FrameHeader Header, bool Stored, long At);

    private sealed class Pending(TerminalSession session, byte commandId)
    {
        public TerminalSession Session { get; } = session;

        public byte CommandId { get; } = commandId;

        /// <summary>The answer, or null when the connection ended first. Continuations never run on the session loop.</summary>
        public TaskCompletionSource<Answer?> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
