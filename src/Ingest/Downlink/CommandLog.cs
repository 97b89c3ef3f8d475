using Microsoft.Extensions.Logging;

namespace Ingest.Downlink;

/// <summary>
/// Downlink command events. Event ids 1800-1819 (1818-1819 are the audit events in
/// <see cref="Http.Security.AuditLog"/>); next free id: 1805. Who asked is in the audit log, not here.
/// </summary>
internal static partial class CommandLog
{
    [LoggerMessage(EventId = 1800, EventName = "CommandSent", Level = LogLevel.Information,
        Message = "Sent {Command} ({CommandHex}) to {Vin} on connection {ConnectionId}; waiting up to {Timeout} for its answer (event 1800)")]
    public static partial void Sent(ILogger logger, string command, string commandHex, string vin, string connectionId, TimeSpan timeout);

    [LoggerMessage(EventId = 1801, EventName = "CommandAnswered", Level = LogLevel.Information,
        Message = "{Vin} answered {Command}: {Outcome} (flag {Flag}) after {LatencySeconds:0.000} s (event 1801)")]
    public static partial void Answered(ILogger logger, string vin, string command, string outcome, string flag, double latencySeconds);

    [LoggerMessage(EventId = 1802, EventName = "CommandTimedOut", Level = LogLevel.Warning,
        Message = "{Vin} did not answer {Command} within {Timeout}; a late answer is stored but reaches nobody (event 1802)")]
    public static partial void TimedOut(ILogger logger, string vin, string command, TimeSpan timeout);

    [LoggerMessage(EventId = 1803, EventName = "CommandConnectionLost", Level = LogLevel.Warning,
        Message = "The connection of {Vin} ended before it answered {Command} ({Reason}) (event 1803)")]
    public static partial void ConnectionLost(ILogger logger, string vin, string command, string reason);

    [LoggerMessage(EventId = 1804, EventName = "UnsolicitedAnswer", Level = LogLevel.Debug,
        Message = "{Vin} sent an answer to {Command} that no command waits for (late after a timeout, or unasked); stored, not acknowledged (event 1804)")]
    public static partial void Unsolicited(ILogger logger, string vin, string command);
}
