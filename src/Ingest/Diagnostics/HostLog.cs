using Microsoft.Extensions.Logging;

namespace Ingest.Diagnostics;

/// <summary>Host lifecycle events (ids 1200-1299). Next free id: 1205.</summary>
internal static partial class HostLog
{
    [LoggerMessage(1200, LogLevel.Information, "Node {Node} started: spool {SpoolDirectory} (next offset {NextOffset}, {SpoolBytes} bytes on disk); HTTP on {HttpUrl} (/metrics, /healthz, /readyz, /vehicles/{{vin}}/state, /openapi/v1.json)", EventName = "Started")]
    public static partial void Started(ILogger logger, string node, string spoolDirectory, long nextOffset, long spoolBytes, string httpUrl);

    [LoggerMessage(1201, LogLevel.Warning, "ClickHouse is not configured (ClickHouse:Endpoint): accepted frames stay in the spool, nothing is stored in ClickHouse and /vehicles/<vin>/frames answers 503", EventName = "NoClickHouse")]
    public static partial void NoClickHouse(ILogger logger);

    [LoggerMessage(1202, LogLevel.Warning, "Redis is not configured (Redis:Endpoint): live vehicle state is kept in this process only and served by /vehicles/<vin>/state", EventName = "NoRedis")]
    public static partial void NoRedis(ILogger logger);

    [LoggerMessage(1203, LogLevel.Information, "No superior platforms configured (Forwarder:Links): nothing is relayed", EventName = "NoForwarding")]
    public static partial void NoForwarding(ILogger logger);

    [LoggerMessage(1204, LogLevel.Information, "Node {Node} stopping: no new connections; in-flight frames are committed and answered, then the spool is closed and every cursor persisted", EventName = "Stopping")]
    public static partial void Stopping(ILogger logger, string node);
}
