using Ingest.Spool;

namespace SpoolCrashHost;

/// <summary>The spool options the crash host writes with; the kill test reopens the spool with the same ones.</summary>
public static class CrashHostOptions
{
    public static SpoolOptions For(string directory) => new()
    {
        Directory = directory,
        SegmentBytes = 64 * 1024,
        MaxBatchBytes = 32 * 1024,
        MaxRecordBytes = CrashRecord.MaxLength,
        FlushInterval = TimeSpan.FromMilliseconds(1),
        DiskBudgetBytes = 1L << 30,
    };
}
