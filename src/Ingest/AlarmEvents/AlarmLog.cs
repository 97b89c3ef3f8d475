using Microsoft.Extensions.Logging;

namespace Ingest.AlarmEvents;

/// <summary>Log events of the alarm detector and its deliveries. Event ids 1700-1729; next free id: 1708.</summary>
/// <remarks>Failed deliveries (webhook down, ClickHouse or Redis unreachable) are logged by the spool-consumer loop (SpoolLog 1121-1125) with the consumer's name.</remarks>
internal static partial class AlarmLog
{
    [LoggerMessage(EventId = 1700, EventName = "AlarmDetectorResumed", Level = LogLevel.Information,
        Message = "Alarm detector resumed from its snapshot in {Directory}: spool offset {NextOffset}, {Vehicles} vehicles, {Active} active alarms")]
    public static partial void Resumed(ILogger logger, string directory, long nextOffset, int vehicles, int active);

    [LoggerMessage(EventId = 1701, EventName = "AlarmDetectorFirstStart", Level = LogLevel.Information,
        Message = "Alarm detector has no snapshot in {Directory}: it starts at the spool's end (offset {NextOffset}); frames received before raise no events")]
    public static partial void FirstStart(ILogger logger, string directory, long nextOffset);

    [LoggerMessage(EventId = 1702, EventName = "AlarmSnapshotDamaged", Level = LogLevel.Error,
        Message = "Alarm detector snapshot {Path} cannot be read ({Reason}); it starts again at the spool's end (offset {NextOffset}) with no active alarms")]
    public static partial void SnapshotDamaged(ILogger logger, string path, string reason, long nextOffset);

    [LoggerMessage(EventId = 1703, EventName = "AlarmDetectorStopped", Level = LogLevel.Information,
        Message = "Alarm detector stopped: state saved at spool offset {NextOffset} ({Vehicles} vehicles, {Active} active alarms, {Events} events this run)")]
    public static partial void Stopped(ILogger logger, long nextOffset, int vehicles, int active, long events);

    [LoggerMessage(EventId = 1704, EventName = "AlarmDeliveriesStarted", Level = LogLevel.Information,
        Message = "Alarm events go to: {Destinations} (outbox {Directory})")]
    public static partial void DeliveriesStarted(ILogger logger, string destinations, string directory);

    [LoggerMessage(EventId = 1705, EventName = "AlarmWebhookRefused", Level = LogLevel.Warning,
        Message = "Webhook {Name} answered {Status} for alarm event {EventId} ({Phase}); retrying from its cursor")]
    public static partial void WebhookRefused(ILogger logger, string name, int status, string eventId, AlarmPhase phase);

    [LoggerMessage(EventId = 1706, EventName = "AlarmSnapshotFailed", Level = LogLevel.Warning,
        Message = "Alarm detector snapshot could not be written: {Reason}; the detector rewinds to its last snapshot and retries")]
    public static partial void SnapshotFailed(ILogger logger, string reason, Exception exception);

    /// <summary>An audit event, written under the audit category (Ingest.Audit) like the other reads of vehicle data.</summary>
    [LoggerMessage(EventId = 1707, EventName = "AlarmsRead", Level = LogLevel.Information,
        Message = "Recent alarm events of tenant {Tenant} read by {ActorId} ({ActorName}): {Count} event phases (event 1707)")]
    public static partial void RecentRead(ILogger logger, string tenant, int count, string actorId, string actorName);
}
