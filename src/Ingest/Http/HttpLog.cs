using Microsoft.Extensions.Logging;

namespace Ingest.Http;

/// <summary>Log events of the HTTP query surface. Event ids 1300-1399; next free id: 1303.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(EventId = 1300, EventName = "HistoryQueryRefused", Level = LogLevel.Debug,
        Message = "History query for {Vin} refused (event 1300): {Active} of {Capacity} history queries are running")]
    public static partial void HistoryQueryRefused(ILogger logger, string vin, int active, int capacity);

    [LoggerMessage(EventId = 1301, EventName = "HistoryQueryFailed", Level = LogLevel.Warning,
        Message = "History query for {Vin} failed after {Frames} frames (event 1301); the response was cut off: {Reason}")]
    public static partial void HistoryQueryFailed(ILogger logger, string vin, int frames, string reason);

    [LoggerMessage(EventId = 1302, EventName = "HistoryQueryTimedOut", Level = LogLevel.Warning,
        Message = "History query for {Vin} ran past Http:HistoryQueryTimeout {Timeout} after {Frames} frames (event 1302); the response was cut off")]
    public static partial void HistoryQueryTimedOut(ILogger logger, string vin, TimeSpan timeout, int frames);
}
