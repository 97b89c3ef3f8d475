using Microsoft.Extensions.Logging;

namespace Ingest.Sinks.Redis;

/// <summary>Log events of the vehicle state store and its sink. Event ids 3100-3199; next free id: 3115.</summary>
internal static partial class RedisStateLog
{
    [LoggerMessage(EventId = 3100, EventName = "RedisConnectionFailed", Level = LogLevel.Warning,
        Message = "Redis connection to {Endpoint} failed ({FailureType}); state updates are dropped and re-read from the spool once it is back")]
    public static partial void ConnectionFailed(ILogger logger, string endpoint, string failureType, Exception? exception);

    [LoggerMessage(EventId = 3101, EventName = "RedisConnectionRestored", Level = LogLevel.Information,
        Message = "Redis connection to {Endpoint} restored")]
    public static partial void ConnectionRestored(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 3102, EventName = "RedisStateUnavailable", Level = LogLevel.Warning,
        Message = "Redis unavailable: {Updates} state updates for spool offsets {FirstOffset}..{LastOffset} not applied (attempt {Attempt}); rewinding to offset {CommittedOffset}, retrying in {RetryDelay}")]
    public static partial void StateUnavailable(ILogger logger, int updates, long firstOffset, long lastOffset, int attempt, long committedOffset, TimeSpan retryDelay);

    [LoggerMessage(EventId = 3103, EventName = "RedisStateProjectionFailed", Level = LogLevel.Error,
        Message = "Projecting spool record {Offset} into a vehicle state update failed (attempt {Attempt}); retrying in {RetryDelay}")]
    public static partial void ProjectionFailed(ILogger logger, long offset, int attempt, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(EventId = 3104, EventName = "RedisStateRecovered", Level = LogLevel.Information,
        Message = "Vehicle state sink recovered after {Attempts} failed attempts; resuming at spool offset {Offset}")]
    public static partial void Recovered(ILogger logger, int attempts, long offset);

    [LoggerMessage(EventId = 3105, EventName = "RedisNotConfigured", Level = LogLevel.Warning,
        Message = "Redis is not configured (Redis:Endpoint is empty): live vehicle state is kept in this process only")]
    public static partial void NotConfigured(ILogger logger);

    [LoggerMessage(EventId = 3106, EventName = "RedisCommandsFailed", Level = LogLevel.Warning,
        Message = "Redis commands for {Updates} state updates failed: {Reason}")]
    public static partial void CommandsFailed(ILogger logger, int updates, string reason);

    [LoggerMessage(EventId = 3107, EventName = "RedisStateSpoolFailed", Level = LogLevel.Error,
        Message = "Reading or committing the spool for vehicle state at committed offset {CommittedOffset} failed (attempt {Attempt}); retrying in {RetryDelay}")]
    public static partial void SpoolReadFailed(ILogger logger, long committedOffset, int attempt, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(EventId = 3108, EventName = "RedisStateSwept", Level = LogLevel.Information,
        Message = "State sweep: {Offline} vehicles silent for {OfflineAfter} marked offline, the state of {Forgotten} vehicles unseen for {ForgetAfter} deleted")]
    public static partial void Swept(ILogger logger, int offline, TimeSpan offlineAfter, int forgotten, TimeSpan forgetAfter);

    [LoggerMessage(EventId = 3109, EventName = "RedisStateSweepFailed", Level = LogLevel.Warning,
        Message = "State sweep stopped: {Reason}; it runs again at the next interval")]
    public static partial void SweepFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3110, EventName = "RedisStateRebuildStarted", Level = LogLevel.Warning,
        Message = "Redis has no state sentinel {Key}: it lost its data (restarted without persistence) or is new; rebuilding live state of vehicles seen since {Since} from ClickHouse")]
    public static partial void RebuildStarted(ILogger logger, string key, DateTimeOffset since);

    [LoggerMessage(EventId = 3111, EventName = "RedisStateRebuilt", Level = LogLevel.Warning,
        Message = "Live state rebuilt from ClickHouse: {Updates} updates for {Vehicles} vehicles ({Online} online) in {Elapsed}")]
    public static partial void Rebuilt(ILogger logger, int updates, int vehicles, int online, TimeSpan elapsed);

    [LoggerMessage(EventId = 3112, EventName = "RedisStateRebuildFailed", Level = LogLevel.Warning,
        Message = "Rebuilding live state from ClickHouse failed after {Updates} updates (ClickHouse down or its schema not created yet); the sentinel is removed so the next check retries: {Reason}")]
    public static partial void RebuildFailed(ILogger logger, int updates, string reason);

    [LoggerMessage(EventId = 3113, EventName = "RedisEpochCheckFailed", Level = LogLevel.Debug,
        Message = "Could not check the state sentinel: {Reason}")]
    public static partial void EpochCheckFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3114, EventName = "InProcessStateEvicted", Level = LogLevel.Warning,
        Message = "In-process state holds Redis:MaxInProcessVehicles {Max} vehicles: {Evicted} least recently seen evicted so far")]
    public static partial void InProcessEvicted(ILogger logger, int max, long evicted);

    [LoggerMessage(EventId = 3141, EventName = "RedisConnecting", Level = LogLevel.Information,
        Message = "Connecting to Redis at {Endpoint} (connect timeout {ConnectTimeout} per attempt; start-up waits for the first attempts)")]
    public static partial void Connecting(ILogger logger, string endpoint, TimeSpan connectTimeout);

    [LoggerMessage(EventId = 3142, EventName = "RedisUnreachableAtStart", Level = LogLevel.Warning,
        Message = "Redis at {Endpoint} is not reachable at start; the node starts anyway: live state waits in the spool and is applied once Redis answers (reconnecting in the background)")]
    public static partial void UnreachableAtStart(ILogger logger, string endpoint);
}
