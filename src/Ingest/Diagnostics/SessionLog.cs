using System.Net;
using Microsoft.Extensions.Logging;
using Ingest.Protocol.Errors;
using Ingest.Sessions;

namespace Ingest.Diagnostics;

/// <summary>Session events (ids 1000-1099). Next free id: 1012. Per-frame successes are metrics, not logs.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(1000, LogLevel.Information, "Listener {Listener} on {Endpoint} accepts {Protocol} terminals (max {MaxConnections} connections, idle timeout {IdleTimeout})", EventName = "ListenerStarted")]
    public static partial void ListenerStarted(ILogger logger, string listener, string endpoint, string protocol, int maxConnections, TimeSpan idleTimeout);

    [LoggerMessage(1001, LogLevel.Debug, "Connection {ConnectionId} from {Remote} opened on {Listener}", EventName = "ConnectionOpened")]
    public static partial void ConnectionOpened(ILogger logger, string connectionId, EndPoint? remote, string listener);

    [LoggerMessage(1002, LogLevel.Debug, "Connection {ConnectionId} ({Vin}) closed: {Reason}; {Frames} frames, {Bytes} bytes read, state {State}", EventName = "ConnectionClosed")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId, string? vin, string reason, long frames, long bytes, SessionState state);

    [LoggerMessage(1003, LogLevel.Warning, "Listener {Listener} is full ({MaxConnections} connections): refused {Remote}", EventName = "ConnectionRefused")]
    public static partial void ConnectionRefused(ILogger logger, string listener, int maxConnections, EndPoint? remote);

    [LoggerMessage(1004, LogLevel.Warning, "Connection {ConnectionId} ({Vin}): dropped {Bytes} bytes at stream offset {StreamOffset}: {Error}", EventName = "MalformedInput")]
    public static partial void MalformedInput(ILogger logger, string connectionId, string? vin, int bytes, long streamOffset, DecodeError error);

    [LoggerMessage(1005, LogLevel.Debug, "Connection {ConnectionId}: skipped {Bytes} junk bytes at stream offset {StreamOffset}", EventName = "JunkSkipped")]
    public static partial void JunkSkipped(ILogger logger, string connectionId, int bytes, long streamOffset);

    [LoggerMessage(1006, LogLevel.Warning, "Connection {ConnectionId} bound to {BoundVin} sent a frame for {FrameVin} at stream offset {StreamOffset}: rejected", EventName = "VinMismatch")]
    public static partial void VinMismatch(ILogger logger, string connectionId, string boundVin, string frameVin, long streamOffset);

    [LoggerMessage(1007, LogLevel.Information, "Vehicle {Vin} logged in again on {NewConnectionId}: closing its older connection {OldConnectionId}", EventName = "DuplicateLogin")]
    public static partial void DuplicateLogin(ILogger logger, string vin, string newConnectionId, string oldConnectionId);

    [LoggerMessage(1008, LogLevel.Debug, "Connection {ConnectionId} ({Vin}) idle for {Idle}: closing", EventName = "IdleTimeout")]
    public static partial void IdleTimeout(ILogger logger, string connectionId, string? vin, TimeSpan idle);

    [LoggerMessage(1009, LogLevel.Error, "Spool is full: frame from {Vin} on {ConnectionId} not accepted and not acknowledged", EventName = "SpoolFull")]
    public static partial void SpoolFull(ILogger logger, string vin, string connectionId);

    [LoggerMessage(1010, LogLevel.Error, "Connection {ConnectionId} ({Vin}) failed in state {State} after {Bytes} bytes", EventName = "SessionFaulted")]
    public static partial void SessionFaulted(ILogger logger, Exception exception, string connectionId, string? vin, SessionState state, long bytes);

    [LoggerMessage(1011, LogLevel.Debug, "Connection {ConnectionId} sent a frame before logging in while the listener requires a login: not accepted", EventName = "NotLoggedIn")]
    public static partial void NotLoggedIn(ILogger logger, string connectionId);
}
