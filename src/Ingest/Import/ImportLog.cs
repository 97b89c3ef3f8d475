using Microsoft.Extensions.Logging;

namespace Ingest.Import;

/// <summary>Log events of the history import (ids 2000-2019). Next free id: 2007.</summary>
internal static partial class ImportLog
{
    [LoggerMessage(2000, LogLevel.Information, "Import of {Files} file(s) into {Target} started; rows are marked node '{Node}' and keyed on receive second and frame bytes (event 2000)", EventName = "ImportStarted")]
    public static partial void Started(ILogger logger, int files, string target, string node);

    [LoggerMessage(2001, LogLevel.Information, "Imported {Path} ({Format}): {Frames} frames, {Problems} problems (event 2001)", EventName = "ImportFileDone")]
    public static partial void FileImported(ILogger logger, string path, string format, long frames, long problems);

    [LoggerMessage(2002, LogLevel.Debug, "{Path} {Where} (file offset {FileOffset}): {Kind}: {Detail} (event 2002)", EventName = "ImportProblem")]
    public static partial void Problem(ILogger logger, string path, string kind, string where, long fileOffset, string detail);

    [LoggerMessage(2003, LogLevel.Debug, "Import batch {Batch} written: {BatchFrames} frames, {Frames} so far (event 2003)", EventName = "ImportBatchWritten")]
    public static partial void BatchWritten(ILogger logger, long batch, int batchFrames, long frames);

    [LoggerMessage(2004, LogLevel.Warning, "Insert of {Rows} imported rows into {Table} failed (attempt {Attempt}), retrying in {Delay}: {Error} (event 2004)", EventName = "ImportInsertRetry")]
    public static partial void InsertRetry(ILogger logger, string table, int rows, int attempt, TimeSpan delay, string error);

    [LoggerMessage(2005, LogLevel.Error, "Import stopped: {Failure}. Running it again is safe: rows already written are replaced, not duplicated (event 2005)", EventName = "ImportFailed")]
    public static partial void Failed(ILogger logger, string failure);

    [LoggerMessage(2006, LogLevel.Information, "Import finished: {Frames} frames, {Problems} problems, exit code {ExitCode} (event 2006)", EventName = "ImportFinished")]
    public static partial void Finished(ILogger logger, long frames, long problems, int exitCode);
}
