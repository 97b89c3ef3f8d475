using Microsoft.Extensions.Logging;

namespace Ingest.Quality;

/// <summary>Data-quality report events (ids 1600-1619). Next free id: 1608. 1606 and 1607 are audit events,
/// written to the audit category (<c>Ingest.Audit</c>) like <see cref="Http.Security.AuditLog"/>'s.</summary>
internal static partial class QualityLog
{
    [LoggerMessage(1600, LogLevel.Information, "Quality report (event 1600): days {First} to {Last} computed into quality_daily in {Seconds:0.###} s", EventName = "QualityDaysStored")]
    public static partial void DaysStored(ILogger logger, DateOnly first, DateOnly last, double seconds);

    [LoggerMessage(1601, LogLevel.Warning, "Quality report (event 1601): computing days {First} to {Last} failed; next try at {RetryAt:o}: {Reason}", EventName = "QualityDaysFailed")]
    public static partial void DaysFailed(ILogger logger, DateOnly first, DateOnly last, DateTimeOffset retryAt, string reason);

    [LoggerMessage(1602, LogLevel.Information, "Quality report (event 1602): next daily computation at {RunAt:o} (days {Days} back, UTC offset {Offset})", EventName = "QualityScheduled")]
    public static partial void Scheduled(ILogger logger, DateTimeOffset runAt, int days, TimeSpan offset);

    [LoggerMessage(1603, LogLevel.Debug, "Quality report (event 1603): day {Day} computed live ({Vehicles} vehicles) in {Seconds:0.###} s", EventName = "QualityDayComputedLive")]
    public static partial void DayComputedLive(ILogger logger, DateOnly day, int vehicles, double seconds);

    [LoggerMessage(1604, LogLevel.Warning, "Quality report query failed (event 1604): {Reason}", EventName = "QualityQueryFailed")]
    public static partial void QueryFailed(ILogger logger, string reason);

    [LoggerMessage(1605, LogLevel.Information, "Quality report (event 1605): the daily computation is off (Quality:ScheduleEnabled=false); days are computed live when asked", EventName = "QualityScheduleOff")]
    public static partial void ScheduleOff(ILogger logger);

    [LoggerMessage(1606, LogLevel.Information, "Audit (event 1606): quality report of {Day} for tenant {Tenant} read by key {ActorId} ({ActorName}): {Vehicles} vehicles", EventName = "QualityDailyRead")]
    public static partial void DailyRead(ILogger logger, DateOnly day, string tenant, int vehicles, string actorId, string actorName);

    [LoggerMessage(1607, LogLevel.Information, "Audit (event 1607): quality of {Vin} from {First} to {Last} read by key {ActorId} ({ActorName})", EventName = "QualityVehicleRead")]
    public static partial void VehicleRead(ILogger logger, string vin, DateOnly first, DateOnly last, string actorId, string actorName);
}
