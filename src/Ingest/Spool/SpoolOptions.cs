using System.ComponentModel.DataAnnotations;

namespace Ingest.Spool;

/// <summary>
/// Options of the durable spool, bound from the "Spool" section. Validate at start:
/// <c>AddOptions&lt;SpoolOptions&gt;().BindConfiguration(SpoolOptions.SectionName).ValidateDataAnnotations().ValidateOnStart()</c>
/// (runs <see cref="Validate()"/> through <see cref="IValidatableObject"/>); <see cref="FileSpool.Open"/> validates again.
/// </summary>
public sealed class SpoolOptions : IValidatableObject
{
    public const string SectionName = "Spool";

    public const long MinSegmentBytes = 4 * 1024;
    public static readonly TimeSpan MaxFlushInterval = TimeSpan.FromSeconds(1);

    /// <summary>Folder holding the segment files and the <c>consumers/</c> cursor folder; created when missing. Required.</summary>
    public string Directory { get; set; } = "";

    /// <summary>
    /// Bytes of records after which the writer starts a new segment file. Default 64 MiB, at least 4 KiB.
    /// Space is reclaimed one whole segment at a time.
    /// </summary>
    public long SegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Group commit spacing: the least time between the starts of two commits (one write plus one fsync). Appends
    /// arriving meanwhile share the next commit. A commit starts at once when the previous one is older than this or
    /// <see cref="MaxBatchBytes"/> are waiting. Default 2 ms; 0 commits as soon as the previous commit ends; at most 1 s.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Most bytes (records with their 8-byte headers) written and fsynced in one commit, and most bytes waiting for the
    /// next commit; further appenders wait for the writer (back-pressure). Also the reader's read size. Default 4 MiB;
    /// at least <see cref="MaxRecordBytes"/> + 8.
    /// </summary>
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Largest payload one append accepts, in bytes. Default 1 MiB; 1 .. 16 MiB. Also the largest record recovery and
    /// readers look for when they resynchronise after a damaged record.
    /// </summary>
    public int MaxRecordBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Most bytes the segment files may take. At the budget an append returns Full without writing; records are never
    /// dropped to make room. Default 10 GiB; at least 2 × (<see cref="SegmentBytes"/> + 32), because space is freed one
    /// sealed segment at a time.
    /// </summary>
    public long DiskBudgetBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>
    /// How often a consumer's cursor is written to disk at most, default 1 s; 0 writes it on every commit. A commit
    /// moves the cursor in memory at once; the file (two fsyncs) follows at this pace, when the consumer finds nothing
    /// to read, and when it closes. After a crash a consumer may so re-read up to this much, which every consumer
    /// absorbs (ClickHouse rows replace themselves, state merges are idempotent, relays are at least once); segments
    /// are only ever deleted behind the cursors on disk.
    /// </summary>
    public TimeSpan CursorPersistInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The linger of the Redis state sink and the platform links (<see cref="SpoolConsumerLoopOptions.Linger"/>; the
    /// ClickHouse sink uses its FlushInterval): after a batch's first record, wait this long for the batch to fill
    /// before it is delivered, default 20 ms; 0 delivers at once. Without it every group commit (hundreds per second)
    /// wakes every consumer for a handful of records, and the thread hand-offs cost more CPU than the records. A
    /// backlog fills the batch at once and is not held.
    /// </summary>
    public TimeSpan ConsumerLinger { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Dedicated threads on which spool consumers (ClickHouse, Redis, relay links) do their CPU work between their own
    /// waits, so storage work cannot take the thread pool from the terminal sessions; 0 (the default) runs consumers on
    /// the thread pool. At most 64.
    /// </summary>
    public int ConsumerThreads { get; set; }

    /// <summary>
    /// Linux nice value of the <see cref="ConsumerThreads"/> (0-19, default 5): higher yields the cores to the
    /// acknowledgement path sooner when they are short. Ignored elsewhere.
    /// </summary>
    public int ConsumerThreadNice { get; set; } = 5;

    /// <summary>
    /// How long a sealed segment is kept after every consumer's cursor passed it, default 1 h; 0 deletes it at once;
    /// at most <see cref="MaxRetention"/>. A safety margin for consumers whose store may lose what it acknowledged
    /// (ClickHouse 18.16 does not fsync inserted parts): within it the data can still be replayed from the spool. The
    /// clock starts when this process sees the segment consumed (after a restart: at open). The disk budget wins: at
    /// the budget, retained segments are deleted oldest first before any append is refused.
    /// </summary>
    public TimeSpan RetainAfterConsumed { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Consumed bytes kept behind the slowest cursor regardless of age, default 0; less than <see cref="DiskBudgetBytes"/>.
    /// A sealed segment is deleted only when, without it, at least this many consumed bytes remain (and
    /// <see cref="RetainAfterConsumed"/> has passed). The disk budget wins, as for the time margin.
    /// </summary>
    public long RetainAfterConsumedBytes { get; set; }

    /// <summary>
    /// How long a cursor whose consumer is not configured (a removed forwarder link, a sink turned off) is kept before
    /// it is dropped, default 24 h; 0 drops it at open; at most <see cref="MaxRetention"/>. Measured from the first open
    /// that found it unconfigured, remembered across restarts in <c>consumers/{name}.orphaned</c>; configuring or
    /// opening the consumer again within the grace keeps it. Only applies when the host tells the spool which consumers
    /// are configured.
    /// </summary>
    public TimeSpan OrphanedCursorGrace { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Longest <see cref="RetainAfterConsumed"/> and <see cref="OrphanedCursorGrace"/>: 365 days.</summary>
    public static readonly TimeSpan MaxRetention = TimeSpan.FromDays(365);

    /// <summary>Fraction of <see cref="DiskBudgetBytes"/> from which stats report NearBudget. Default 0.9; 0 .. 1.</summary>
    public double NearBudgetRatio { get; set; } = 0.9;

    /// <summary>Every problem with these options as a sentence naming the setting; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Directory))
        {
            errors.Add($"{SectionName}:{nameof(Directory)} is required.");
        }

        if (SegmentBytes < MinSegmentBytes)
        {
            errors.Add($"{SectionName}:{nameof(SegmentBytes)} must be at least {MinSegmentBytes} bytes (is {SegmentBytes}).");
        }

        if (FlushInterval < TimeSpan.Zero || FlushInterval > MaxFlushInterval)
        {
            errors.Add($"{SectionName}:{nameof(FlushInterval)} must be between 0 and {MaxFlushInterval} (is {FlushInterval}).");
        }

        if (MaxRecordBytes is < 1 or > SpoolFormat.MaxPayloadBytes)
        {
            errors.Add($"{SectionName}:{nameof(MaxRecordBytes)} must be between 1 and {SpoolFormat.MaxPayloadBytes} bytes (is {MaxRecordBytes}).");
        }

        var minBatch = (long)MaxRecordBytes + SpoolFormat.RecordHeaderBytes;
        if (MaxBatchBytes < minBatch)
        {
            errors.Add($"{SectionName}:{nameof(MaxBatchBytes)} must be at least {nameof(MaxRecordBytes)} + {SpoolFormat.RecordHeaderBytes} = {minBatch} bytes (is {MaxBatchBytes}).");
        }

        var minBudget = 2 * (SegmentBytes + SpoolFormat.SegmentHeaderBytes);
        if (DiskBudgetBytes < minBudget)
        {
            errors.Add($"{SectionName}:{nameof(DiskBudgetBytes)} must be at least 2 × ({nameof(SegmentBytes)} + {SpoolFormat.SegmentHeaderBytes}) = {minBudget} bytes (is {DiskBudgetBytes}).");
        }

        if (RetainAfterConsumed < TimeSpan.Zero || RetainAfterConsumed > MaxRetention)
        {
            errors.Add($"{SectionName}:{nameof(RetainAfterConsumed)} must be between 0 and {MaxRetention} (is {RetainAfterConsumed}).");
        }

        if (RetainAfterConsumedBytes < 0 || RetainAfterConsumedBytes >= DiskBudgetBytes)
        {
            errors.Add($"{SectionName}:{nameof(RetainAfterConsumedBytes)} must be at least 0 and less than {nameof(DiskBudgetBytes)} ({DiskBudgetBytes}) (is {RetainAfterConsumedBytes}).");
        }

        if (OrphanedCursorGrace < TimeSpan.Zero || OrphanedCursorGrace > MaxRetention)
        {
            errors.Add($"{SectionName}:{nameof(OrphanedCursorGrace)} must be between 0 and {MaxRetention} (is {OrphanedCursorGrace}).");
        }

        if (ConsumerThreads is < 0 or > 64)
        {
            errors.Add($"{SectionName}:{nameof(ConsumerThreads)} must be between 0 and 64 (is {ConsumerThreads}).");
        }

        if (ConsumerThreadNice is < 0 or > 19)
        {
            errors.Add($"{SectionName}:{nameof(ConsumerThreadNice)} must be between 0 and 19 (is {ConsumerThreadNice}).");
        }

        if (double.IsNaN(NearBudgetRatio) || NearBudgetRatio is < 0 or > 1)
        {
            errors.Add($"{SectionName}:{nameof(NearBudgetRatio)} must be between 0 and 1 (is {NearBudgetRatio}).");
        }

        return errors;
    }

    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext) =>
        Validate().Select(message => new ValidationResult(message));

    /// <summary>A copy, so later changes to a bound options object cannot reach a running spool.</summary>
    internal SpoolOptions Copy() => (SpoolOptions)MemberwiseClone();

    internal void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid spool options: " + string.Join(" ", errors), nameof(SpoolOptions));
        }
    }
}
