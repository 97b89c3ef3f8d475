using Microsoft.Extensions.Logging;

namespace Ingest.Spool;

/// <summary>Spool log events (ids 1100-1199). Per-append events are metrics, never logs. Next free id: 1121 (1121-1160 are taken by the consumer loop and the append path; 1161-1169 shutdown).</summary>
internal static partial class SpoolLog
{
    [LoggerMessage(EventId = 1100, EventName = "SpoolOpened", Level = LogLevel.Information,
        Message = "Spool opened in {Directory}: {Segments} segment(s), offsets {FirstOffset}..{NextOffset}, {Consumers} consumer(s), recovery took {DurationMs} ms (event 1100)")]
    public static partial void Opened(ILogger logger, string directory, int segments, long firstOffset, long nextOffset, int consumers, double durationMs);

    [LoggerMessage(EventId = 1101, EventName = "SpoolTailTruncated", Level = LogLevel.Warning,
        Message = "Spool recovery cut a torn tail of {Bytes} bytes at offset {Offset} from {SegmentFile}: an unfinished, unacknowledged commit (event 1101)")]
    public static partial void TailTruncated(ILogger logger, string segmentFile, long offset, long bytes);

    [LoggerMessage(EventId = 1102, EventName = "SpoolCorruptionFound", Level = LogLevel.Error,
        Message = "Spool damage {Kind} in {File} at offset {Offset} ({Bytes} bytes): reported and skipped, not repaired (event 1102)")]
    public static partial void CorruptionFound(ILogger logger, SpoolCorruptionKind kind, string file, long offset, long bytes);

    [LoggerMessage(EventId = 1103, EventName = "SpoolReaderSkipped", Level = LogLevel.Error,
        Message = "Spool consumer {Consumer} skipped damaged data {Kind} in {File}: offsets {FromOffset}..{ToOffset} are unreadable (event 1103)")]
    public static partial void ReaderSkipped(ILogger logger, string consumer, SpoolCorruptionKind kind, string file, long fromOffset, long toOffset);

    [LoggerMessage(EventId = 1104, EventName = "SpoolReaderBlocked", Level = LogLevel.Error,
        Message = "Spool consumer {Consumer} cannot read past an invalid record at offset {Offset} in the active segment {File}; it waits for the segment to be sealed (event 1104)")]
    public static partial void ReaderBlocked(ILogger logger, string consumer, long offset, string file);

    [LoggerMessage(EventId = 1105, EventName = "SpoolSegmentDeleted", Level = LogLevel.Debug,
        Message = "Spool segment {File} deleted: every consumer committed past it (event 1105)")]
    public static partial void SegmentDeleted(ILogger logger, string file);

    [LoggerMessage(EventId = 1106, EventName = "SpoolWriterFaulted", Level = LogLevel.Critical,
        Message = "Spool writer stopped after an unexpected error at offset {Offset}; appends fail until the spool is reopened (event 1106)")]
    public static partial void WriterFaulted(ILogger logger, Exception exception, long offset);

    [LoggerMessage(EventId = 1107, EventName = "SpoolBudgetReached", Level = LogLevel.Warning,
        Message = "Spool disk budget reached ({UsedBytes} of {BudgetBytes} bytes): appends return Full until consumers free segments (event 1107)")]
    public static partial void BudgetReached(ILogger logger, long usedBytes, long budgetBytes);

    [LoggerMessage(EventId = 1108, EventName = "SpoolBudgetAvailable", Level = LogLevel.Information,
        Message = "Spool accepts appends again ({UsedBytes} of {BudgetBytes} bytes used) (event 1108)")]
    public static partial void BudgetAvailable(ILogger logger, long usedBytes, long budgetBytes);

    [LoggerMessage(EventId = 1109, EventName = "SpoolConsumerRegistered", Level = LogLevel.Information,
        Message = "Spool consumer {Consumer} registered at offset {Offset} (event 1109)")]
    public static partial void ConsumerRegistered(ILogger logger, string consumer, long offset);

    [LoggerMessage(EventId = 1110, EventName = "SpoolConsumerRemoved", Level = LogLevel.Warning,
        Message = "Spool consumer {Consumer} removed at committed offset {Offset}; its segments are released (event 1110)")]
    public static partial void ConsumerRemoved(ILogger logger, string consumer, long offset);

    [LoggerMessage(EventId = 1111, EventName = "SpoolSegmentDeleteFailed", Level = LogLevel.Warning,
        Message = "Spool segment {File} could not be deleted; deleted at the next open (event 1111)")]
    public static partial void SegmentDeleteFailed(ILogger logger, Exception exception, string file);

    [LoggerMessage(EventId = 1112, EventName = "SpoolOffsetsResumedAfterGap", Level = LogLevel.Warning,
        Message = "Spool offsets resume at {NextOffset}, after the end of the log at {LogEnd}, so no offset a consumer has seen is reused (event 1112)")]
    public static partial void OffsetsResumedAfterGap(ILogger logger, long nextOffset, long logEnd);

    [LoggerMessage(EventId = 1113, EventName = "SpoolWriteFailed", Level = LogLevel.Error,
        Message = "Spool commit at offset {Offset} failed (HResult/errno {HResult}): {Refused} unacknowledged append(s) refused, offsets rewound; appends are refused until {RetryAt:o} (attempt {Failures}) (event 1113)")]
    public static partial void WriteFailed(ILogger logger, Exception exception, int hResult, long offset, int refused, int failures, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 1114, EventName = "SpoolTruncateFailed", Level = LogLevel.Error,
        Message = "Spool could not cut the failed commit's bytes after file position {FilePosition}; tried again before the next commit (event 1114)")]
    public static partial void TruncateFailed(ILogger logger, Exception exception, long filePosition);

    [LoggerMessage(EventId = 1115, EventName = "SpoolWriteRecovered", Level = LogLevel.Warning,
        Message = "Spool commits succeed again after {Failures} failed attempt(s); durable end {DurableEnd} (event 1115)")]
    public static partial void WriteRecovered(ILogger logger, int failures, long durableEnd);

    [LoggerMessage(EventId = 1116, EventName = "SpoolRetainedSegmentReclaimed", Level = LogLevel.Warning,
        Message = "Spool disk budget reached: consumed segment {File} deleted before its retention margin ran out, to accept appends (event 1116)")]
    public static partial void RetainedSegmentReclaimed(ILogger logger, string file);

    [LoggerMessage(EventId = 1117, EventName = "SpoolOrphanedConsumer", Level = LogLevel.Warning,
        Message = "Spool cursor {Consumer} (committed offset {Offset}) belongs to no configured consumer since {OrphanedSince:o}; it holds segments until it is dropped at {DropAt:o} (Spool:OrphanedCursorGrace) (event 1117)")]
    public static partial void OrphanedConsumer(ILogger logger, string consumer, long offset, DateTimeOffset orphanedSince, DateTimeOffset dropAt);

    [LoggerMessage(EventId = 1118, EventName = "SpoolOrphanedConsumerDropped", Level = LogLevel.Warning,
        Message = "Spool cursor {Consumer} dropped at committed offset {Offset}: not configured since {OrphanedSince:o}, grace over (event 1118)")]
    public static partial void OrphanedConsumerDropped(ILogger logger, string consumer, long offset, DateTimeOffset orphanedSince);

    [LoggerMessage(EventId = 1119, EventName = "SpoolOrphanedConsumerAdopted", Level = LogLevel.Information,
        Message = "Spool cursor {Consumer} is in use again; it is no longer orphaned (event 1119)")]
    public static partial void OrphanedConsumerAdopted(ILogger logger, string consumer);

    [LoggerMessage(EventId = 1120, EventName = "SpoolOrphanDropFailed", Level = LogLevel.Warning,
        Message = "Spool could not drop orphaned cursor {Consumer}; tried again at the next round (event 1120)")]
    public static partial void OrphanDropFailed(ILogger logger, Exception exception, string consumer);

    [LoggerMessage(EventId = 1161, EventName = "SpoolClosed", Level = LogLevel.Information,
        Message = "Spool closed: every acknowledged frame is on disk up to offset {DurableEnd}; {Count} consumer cursor(s) persisted: {Cursors} (event 1161)")]
    public static partial void Closed(ILogger logger, long durableEnd, int count, string cursors);
}
