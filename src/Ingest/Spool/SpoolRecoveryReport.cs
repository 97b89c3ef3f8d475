namespace Ingest.Spool;

/// <summary>What <see cref="FileSpool.Open"/> found and repaired. The host logs it (the spool also logs it itself).</summary>
/// <param name="Segments">Segment files in use after recovery.</param>
/// <param name="FirstOffset">Oldest retained offset.</param>
/// <param name="NextOffset">Offset the next append gets.</param>
/// <param name="Truncation">The torn tail that was cut off, if any: unacknowledged bytes of the last, unfinished commit.</param>
/// <param name="Corruptions">Damage that was reported and set aside instead of repaired.</param>
/// <param name="Duration">Time the recovery took.</param>
public sealed record SpoolRecoveryReport(
    int Segments,
    long FirstOffset,
    long NextOffset,
    SpoolTruncation? Truncation,
    IReadOnlyList<SpoolCorruption> Corruptions,
    TimeSpan Duration);

/// <summary>A torn tail cut off the last segment: <paramref name="Bytes"/> bytes from logical <paramref name="Offset"/>.</summary>
public readonly record struct SpoolTruncation(string SegmentFile, long Offset, long Bytes);

/// <summary>A damaged region of the spool, reported and skipped, never silently repaired.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="File">The segment or cursor file concerned.</param>
/// <param name="Offset">Logical offset where the damage starts (-1 when it has none).</param>
/// <param name="Bytes">Size of the damaged or missing region in bytes (0 when unknown).</param>
public readonly record struct SpoolCorruption(SpoolCorruptionKind Kind, string File, long Offset, long Bytes);

public enum SpoolCorruptionKind : byte
{
    /// <summary>A segment file's header is invalid; the file was renamed to *.corrupt and its records are skipped.</summary>
    BadSegmentHeader,

    /// <summary>A sealed segment's length does not reach (or overruns) the next segment's base offset.</summary>
    SegmentLengthMismatch,

    /// <summary>
    /// No longer reported (format 2 knows where the last commit ended, see <see cref="SpoolRecovery"/>): it meant the
    /// last segment was sealed as it was after damage too deep for a torn tail. Kept so stored reports still parse.
    /// </summary>
    CorruptTail,

    /// <summary>
    /// An invalid record in durable data (found by recovery in the last segment, or by a reader anywhere): reported and
    /// skipped up to the next record that validates, so only the damaged bytes are lost.
    /// </summary>
    CorruptRecord,

    /// <summary>A reader's position lies in a range whose bytes are missing; it skipped to the next available data.</summary>
    MissingData,

    /// <summary>A consumer cursor file is unreadable; the consumer restarts from the oldest retained record.</summary>
    BadCursorFile,
}

/// <summary>
/// The spool writer stopped after an unexpected error (a bug, not a disk error: those are retried, see
/// <see cref="SpoolAppendStatus.Unavailable"/>); restart the spool to recover.
/// </summary>
public sealed class SpoolFaultedException : IOException
{
    public SpoolFaultedException(Exception cause)
        : base("The spool writer stopped after an unexpected error; nothing more is written until the spool is reopened.", cause)
    {
    }
}
