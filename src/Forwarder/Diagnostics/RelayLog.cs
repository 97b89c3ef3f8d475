using Microsoft.Extensions.Logging;
using Ingest.Forwarder.Links;

namespace Ingest.Forwarder.Diagnostics;

/// <summary>Relay events (ids 4000-4099). Next free id: 4007.</summary>
internal static partial class RelayLog
{
    [LoggerMessage(4000, LogLevel.Information, "Link {Link}: logged in to {Endpoint} (serial {Serial}); resuming from spool offset {Offset}", EventName = "LinkUp")]
    public static partial void LinkUp(ILogger logger, string link, string endpoint, ushort serial, long offset);

    [LoggerMessage(4001, LogLevel.Warning, "Link {Link}: {Kind} in state {State}; unconfirmed frames are sent again after the reconnect (the consumer loop logs its backoff, event 1122)", EventName = "LinkDown")]
    public static partial void LinkDown(ILogger logger, Exception? exception, string link, string kind, LinkState state);

    [LoggerMessage(4002, LogLevel.Error, "Link {Link}: platform refused the login with flag 0x{Flag:X2}; check Username/Password. Retrying with backoff", EventName = "LoginRejected")]
    public static partial void LoginRejected(ILogger logger, string link, byte flag);

    [LoggerMessage(4003, LogLevel.Information, "Link {Link}: logged out", EventName = "LoggedOut")]
    public static partial void LoggedOut(ILogger logger, string link);

    [LoggerMessage(4004, LogLevel.Debug, "Link {Link}: confirmed up to spool offset {Offset}", EventName = "Confirmed")]
    public static partial void Confirmed(ILogger logger, string link, long offset);

    [LoggerMessage(4005, LogLevel.Warning, "Link {Link}: skipped a spool record at offset {Offset} that is not a valid frame", EventName = "BadRecord")]
    public static partial void BadRecord(ILogger logger, string link, long offset);

    [LoggerMessage(4006, LogLevel.Information, "Link {Link} to {Endpoint} starting", EventName = "LinkStarting")]
    public static partial void LinkStarting(ILogger logger, string link, string endpoint);
}
