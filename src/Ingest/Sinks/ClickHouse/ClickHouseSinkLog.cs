using Microsoft.Extensions.Logging;

namespace Ingest.Sinks.ClickHouse;

/// <summary>Log events of the ClickHouse sink. Event ids 3000-3099; next free id: 3011.</summary>
internal static partial class ClickHouseSinkLog
{
    [LoggerMessage(EventId = 3000, EventName = "ClickHouseConnected", Level = LogLevel.Information,
        Message = "ClickHouse {Endpoint} version {Version}, database '{Database}'{ClusterNote}")]
    public static partial void Connected(ILogger logger, Uri endpoint, ClickHouseServerVersion version, string database, string clusterNote);

    [LoggerMessage(EventId = 3001, EventName = "ClickHouseSchemaMigrated", Level = LogLevel.Information,
        Message = "ClickHouse schema of '{Database}' migrated to version {Version}")]
    public static partial void SchemaMigrated(ILogger logger, string database, uint version);

    [LoggerMessage(EventId = 3002, EventName = "ClickHouseInsertFailed", Level = LogLevel.Warning,
        Message = "ClickHouse insert into '{Table}' failed for spool offsets {FirstOffset}..{LastOffset} ({Rows} rows, attempt {Attempt}); rewinding to offset {CommittedOffset} and retrying in {RetryDelay}")]
    public static partial void InsertFailed(ILogger logger, string table, long firstOffset, long lastOffset, int rows, int attempt, long committedOffset, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(EventId = 3003, EventName = "ClickHouseProjectionFailed", Level = LogLevel.Error,
        Message = "Projecting spool record {Offset} into ClickHouse rows failed (attempt {Attempt}); the sink does not skip records: it retries in {RetryDelay}")]
    public static partial void ProjectionFailed(ILogger logger, long offset, int attempt, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(EventId = 3004, EventName = "ClickHouseUnavailable", Level = LogLevel.Warning,
        Message = "ClickHouse {Endpoint} is not ready (attempt {Attempt}): {Reason}; retrying in {RetryDelay}")]
    public static partial void Unavailable(ILogger logger, Uri endpoint, int attempt, string reason, TimeSpan retryDelay);

    [LoggerMessage(EventId = 3005, EventName = "ClickHouseRecovered", Level = LogLevel.Information,
        Message = "ClickHouse sink recovered after {Attempts} failed attempts; resuming at spool offset {Offset}")]
    public static partial void Recovered(ILogger logger, int attempts, long offset);

    [LoggerMessage(EventId = 3006, EventName = "ClickHouseShutdownFlush", Level = LogLevel.Information,
        Message = "ClickHouse sink stopping: {Rows} buffered rows up to spool offset {LastOffset} {Outcome}")]
    public static partial void ShutdownFlush(ILogger logger, int rows, long lastOffset, string outcome);

    [LoggerMessage(EventId = 3007, EventName = "ClickHouseOldServer", Level = LogLevel.Warning,
        Message = "ClickHouse {Version} is older than {Oldest}, the oldest version this sink was tested with")]
    public static partial void OldServer(ILogger logger, ClickHouseServerVersion version, ClickHouseServerVersion oldest);

    [LoggerMessage(EventId = 3008, EventName = "ClickHouseCommitFailed", Level = LogLevel.Warning,
        Message = "Committing the ClickHouse cursor at spool offset {Offset} failed; the batch will be re-sent and replace itself")]
    public static partial void CommitFailed(ILogger logger, long offset, Exception exception);

    [LoggerMessage(EventId = 3009, EventName = "ClickHouseNotConfigured", Level = LogLevel.Warning,
        Message = "ClickHouse is not configured (ClickHouse:Endpoint is empty): frames stay in the spool only")]
    public static partial void NotConfigured(ILogger logger);

    [LoggerMessage(EventId = 3010, EventName = "ClickHouseSpoolReadFailed", Level = LogLevel.Error,
        Message = "Reading the spool for ClickHouse after committed offset {CommittedOffset} failed (attempt {Attempt}); retrying in {RetryDelay}")]
    public static partial void SpoolReadFailed(ILogger logger, long committedOffset, int attempt, TimeSpan retryDelay, Exception exception);
}
