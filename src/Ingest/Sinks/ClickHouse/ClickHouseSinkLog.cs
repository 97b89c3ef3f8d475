using Microsoft.Extensions.Logging;

namespace Ingest.Sinks.ClickHouse;

/// <summary>Log events of the ClickHouse sink. Event ids 3000-3099; next free id: 3011 (3002-3006, 3008 and 3010 retired: failures, retries and the stop are logged by the spool-consumer loop, SpoolLog 1121-1125).</summary>
internal static partial class ClickHouseSinkLog
{
    [LoggerMessage(EventId = 3000, EventName = "ClickHouseConnected", Level = LogLevel.Information,
        Message = "ClickHouse {Endpoint} version {Version}, database '{Database}'{ClusterNote}")]
    public static partial void Connected(ILogger logger, Uri endpoint, ClickHouseServerVersion version, string database, string clusterNote);

    [LoggerMessage(EventId = 3001, EventName = "ClickHouseSchemaMigrated", Level = LogLevel.Information,
        Message = "ClickHouse schema of '{Database}' migrated to version {Version}")]
    public static partial void SchemaMigrated(ILogger logger, string database, uint version);

    [LoggerMessage(EventId = 3007, EventName = "ClickHouseOldServer", Level = LogLevel.Warning,
        Message = "ClickHouse {Version} is older than {Oldest}, the oldest version this sink was tested with")]
    public static partial void OldServer(ILogger logger, ClickHouseServerVersion version, ClickHouseServerVersion oldest);

    [LoggerMessage(EventId = 3009, EventName = "ClickHouseNotConfigured", Level = LogLevel.Warning,
        Message = "ClickHouse is not configured (ClickHouse:Endpoint is empty): frames stay in the spool only")]
    public static partial void NotConfigured(ILogger logger);
}
