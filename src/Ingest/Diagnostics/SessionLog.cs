using System.Net;
using Microsoft.Extensions.Logging;
using Ingest.Protocol.Errors;
using Ingest.Sessions;

namespace Ingest.Diagnostics;

/// <summary>Session events (ids 1000-1099). Next free id: 1024 (1017-1040 admission). Per-frame successes are metrics, not logs.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(1000, LogLevel.Information, "Listener {Listener} on {Endpoint} accepts {Protocol} terminals (max {MaxConnections} connections, idle timeout {IdleTimeout}, partial-frame timeout {PartialFrameTimeout})", EventName = "ListenerStarted")]
    public static partial void ListenerStarted(ILogger logger, string listener, string endpoint, string protocol, int maxConnections, TimeSpan idleTimeout, TimeSpan partialFrameTimeout);

    [LoggerMessage(1001, LogLevel.Debug, "Connection {ConnectionId} from {Remote} opened on {Listener}", EventName = "ConnectionOpened")]
    public static partial void ConnectionOpened(ILogger logger, string connectionId, EndPoint? remote, string listener);

    [LoggerMessage(1002, LogLevel.Debug, "Connection {ConnectionId} ({Vin}) closed: {Reason}; {Frames} frames, {Bytes} bytes read, state {State}", EventName = "ConnectionClosed")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId, string? vin, string reason, long frames, long bytes, SessionState state);

    [LoggerMessage(1003, LogLevel.Warning, "Listener {Listener} is full ({Active} connections, limit {MaxConnections} on the listener, {ProcessLimit} in the process): refusing {Remote} and, until a connection closes, every further one without another log line (ingest_connections_refused counts them)", EventName = "ConnectionRefused")]
    public static partial void ConnectionRefused(ILogger logger, string listener, int active, int maxConnections, int processLimit, EndPoint? remote);

    [LoggerMessage(1004, LogLevel.Warning, "Connection {ConnectionId} ({Vin}): dropped {Bytes} bytes at stream offset {StreamOffset}: {Error}", EventName = "MalformedInput")]
    public static partial void MalformedInput(ILogger logger, string connectionId, string? vin, int bytes, long streamOffset, DecodeError error);

    [LoggerMessage(1005, LogLevel.Debug, "Connection {ConnectionId}: skipped {Bytes} junk bytes at stream offset {StreamOffset}", EventName = "JunkSkipped")]
    public static partial void JunkSkipped(ILogger logger, string connectionId, int bytes, long streamOffset);

    [LoggerMessage(1006, LogLevel.Warning, "Connection {ConnectionId} bound to {BoundVin} sent a frame for {FrameVin} at stream offset {StreamOffset}: rejected", EventName = "VinMismatch")]
    public static partial void VinMismatch(ILogger logger, string connectionId, string boundVin, string frameVin, long streamOffset);

    [LoggerMessage(1007, LogLevel.Information, "Vehicle {Vin} logged in again on {NewConnectionId} from {NewRemote} and was admitted: closing its older connection {OldConnectionId} from {OldRemote}", EventName = "DuplicateLogin")]
    public static partial void DuplicateLogin(ILogger logger, string vin, string newConnectionId, EndPoint? newRemote, string oldConnectionId, EndPoint? oldRemote);

    [LoggerMessage(1008, LogLevel.Debug, "Connection {ConnectionId} ({Vin}) idle for {Idle}: closing", EventName = "IdleTimeout")]
    public static partial void IdleTimeout(ILogger logger, string connectionId, string? vin, TimeSpan idle);

    [LoggerMessage(1009, LogLevel.Error, "Spool is full: frame from {Vin} on {ConnectionId} not accepted and not acknowledged", EventName = "SpoolFull")]
    public static partial void SpoolFull(ILogger logger, string vin, string connectionId);

    [LoggerMessage(1016, LogLevel.Warning, "Spool cannot write (a disk error it is retrying): frame from {Vin} on {ConnectionId} not accepted and not acknowledged; the terminal will resend", EventName = "SpoolUnavailable")]
    public static partial void SpoolUnavailable(ILogger logger, string vin, string connectionId);

    [LoggerMessage(1010, LogLevel.Error, "Connection {ConnectionId} ({Vin}) failed in state {State} after {Bytes} bytes", EventName = "SessionFaulted")]
    public static partial void SessionFaulted(ILogger logger, Exception exception, string connectionId, string? vin, SessionState state, long bytes);

    [LoggerMessage(1011, LogLevel.Debug, "Connection {ConnectionId} sent a frame before logging in while the listener requires a login: not accepted", EventName = "NotLoggedIn")]
    public static partial void NotLoggedIn(ILogger logger, string connectionId);

    [LoggerMessage(1012, LogLevel.Warning, "Connection {ConnectionId} ({Vin}): gave up on a partial frame at stream offset {StreamOffset} after {Waited} ({Error}); scanning again after its start marker", EventName = "PartialFrameAbandoned")]
    public static partial void PartialFrameAbandoned(ILogger logger, string connectionId, string? vin, long streamOffset, TimeSpan waited, DecodeError error);

    [LoggerMessage(1013, LogLevel.Information, "Descriptor limit {Soft} (hard {Hard}): {Reserve} kept for spool, cursors, ClickHouse, Redis, forwarder links and HTTP; at most {MaxConnections} terminal connections in all", EventName = "ConnectionBudget")]
    public static partial void ConnectionBudget(ILogger logger, ulong soft, ulong hard, int reserve, int maxConnections);

    [LoggerMessage(1014, LogLevel.Warning, "The descriptor limit cannot be read on this platform: connections are bounded by Ingest:Listeners:N:MaxConnections only", EventName = "ConnectionBudgetUnknown")]
    public static partial void ConnectionBudgetUnknown(ILogger logger);

    [LoggerMessage(1015, LogLevel.Warning, "All {MaxConnections} connections the descriptor limit allows are open: closing {Remote} on {Listener} at accept and, until one closes, every further one without another log line (ingest_connections_refused counts them)", EventName = "DescriptorBudgetFull")]
    public static partial void DescriptorBudgetFull(ILogger logger, int maxConnections, string listener, EndPoint? remote);

    [LoggerMessage(1017, LogLevel.Warning, "Listener {Listener} ({Policy}) refused {Vin} from {Remote} on {ConnectionId}: {Reason}; closed, nothing it sent is kept ({Suppressed} refusals not logged since the last line; ingest_admission_refused counts all)", EventName = "AdmissionRefused")]
    public static partial void AdmissionRefused(ILogger logger, string listener, Sessions.AdmissionPolicy policy, string vin, EndPoint? remote, string connectionId, string reason, long suppressed);

    [LoggerMessage(1018, LogLevel.Warning, "Login for {Vin} from {NewRemote} refused ({Reason}) while the vehicle is online from {OnlineRemote}: the online connection {OnlineConnectionId} stays ({Suppressed} such attempts not logged since the last line)", EventName = "TakeoverRefused")]
    public static partial void TakeoverRefused(ILogger logger, string vin, EndPoint? newRemote, string reason, EndPoint? onlineRemote, string onlineConnectionId, long suppressed);

    [LoggerMessage(1019, LogLevel.Warning, "Listener {Listener}: {Kind} from {Remote} over the {Scope} rate limit, closed at once ({Suppressed} not logged since the last line; ingest_rate_limited counts all)", EventName = "RateLimited")]
    public static partial void RateLimited(ILogger logger, string listener, string kind, EndPoint? remote, Transport.RateLimitScope scope, long suppressed);

    [LoggerMessage(1020, LogLevel.Information, "Vehicle {Vin} on {ConnectionId} ({Remote}) is no longer admitted by listener {Listener} ({Policy}) after a registry change: {Reason}; closing", EventName = "FilingWithdrawn")]
    public static partial void FilingWithdrawn(ILogger logger, string vin, string connectionId, EndPoint? remote, string listener, Sessions.AdmissionPolicy policy, string reason);

    [LoggerMessage(1021, LogLevel.Information, "Listener {Listener} admits {Policy} vehicles ({Filed} filed in the registry)", EventName = "ListenerAdmission")]
    public static partial void ListenerAdmission(ILogger logger, string listener, Sessions.AdmissionPolicy policy, int filed);

    [LoggerMessage(1022, LogLevel.Warning, "Listener {Listener} is open: it accepts any VIN (unfiled vehicles are stored, marked, and not relayed unless a link sets RelayUnfiled). Set Ingest:Admission=Registered outside test benches", EventName = "ListenerOpen")]
    public static partial void ListenerOpen(ILogger logger, string listener);

    [LoggerMessage(1023, LogLevel.Warning, "Listener {Listener} admits only filed vehicles ({Policy}) and the registry is empty: every login is refused until vehicles are filed (Registry:ImportCsv, 'ingest registry import', the HTTP API) or the listener is opened for a test bench (Ingest:Admission=Open)", EventName = "RegistryEmpty")]
    public static partial void RegistryEmpty(ILogger logger, string listener, Sessions.AdmissionPolicy policy);

}
