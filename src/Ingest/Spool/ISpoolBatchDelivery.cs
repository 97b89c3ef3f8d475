namespace Ingest.Spool;

/// <summary>
/// What a spool consumer supplies to <see cref="SpoolConsumerLoop"/>: "deliver this batch". The loop owns the cursor,
/// batching, linger, commits in order, rewind and retry; a delivery only moves records to where they go (ClickHouse,
/// Redis, a superior platform). The loop calls these methods one at a time, never concurrently.
/// </summary>
public interface ISpoolBatchDelivery
{
    /// <summary>
    /// Gets ready to deliver: connect, check a schema, log in. Called before the first batch and again after every
    /// failure, once the backoff has passed; throwing counts as a failure (the loop backs off and calls it again).
    /// </summary>
    ValueTask PrepareAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes a batch over: encode it, write it, start its inserts. The loop reads the next batch once this completes,
    /// so whatever runs here overlaps the batches still in flight. The returned task is the batch's outcome: it
    /// completes when the batch may be committed and faults when it was not delivered (the loop then rewinds to the
    /// committed cursor and the records come again). The batch's memory stays valid until that task ended.
    /// </summary>
    ValueTask<Task> SendAsync(SpoolBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// Called when the loop would wait (see <paramref name="reason"/>). A delivery whose batches complete lazily (the
    /// platform link's confirmation barrier) completes them here; it also keeps an idle connection alive. Most
    /// deliveries do nothing.
    /// </summary>
    ValueTask FlushAsync(SpoolFlushReason reason, CancellationToken cancellationToken);
}

/// <summary>Why the loop calls <see cref="ISpoolBatchDelivery.FlushAsync"/>.</summary>
public enum SpoolFlushReason
{
    /// <summary>Nothing new to read: complete what is due, keep the connection alive.</summary>
    Idle,

    /// <summary>As many batches in flight as the loop allows: it waits for the oldest, so complete it now.</summary>
    WindowFull,

    /// <summary>The loop is stopping and waits for every batch in flight: complete them now.</summary>
    Stopping,
}

/// <summary>
/// A batch was not delivered. The message says what failed and for which spool offsets; the loop logs it, rewinds
/// and retries. Deliveries throw it (wrapping the cause) so one log line tells the whole story.
/// </summary>
public sealed class SpoolDeliveryException(string message, Exception? innerException = null) : Exception(message, innerException);
