using System.Diagnostics.Metrics;
using Ingest.Spool;
using Microsoft.Extensions.Logging;

namespace Ingest.AlarmEvents;

/// <summary>
/// The durable queue between the detector and the destinations: a spool of its own (one record per event phase, its
/// JSON), so every destination is one more spool consumer with its own cursor, batching, retry with backoff and
/// metrics: the mechanism the ClickHouse and Redis sinks and the platform links use. A destination that is down only
/// holds its cursor; the others and the detector go on. Events are appended before the detector's spool cursor moves,
/// so none is lost in a crash.
/// </summary>
public sealed class AlarmOutbox : IAsyncDisposable
{
    public const string FolderName = "outbox";
    // Prefixed: the loops show on /readyz and in the consumer metrics beside the frame spool's own "clickhouse" and "redis".
    public const string ClickHouseConsumer = "alarms-clickhouse";
    public const string RedisConsumer = "alarms-redis";

    private readonly FileSpool _spool;

    private AlarmOutbox(FileSpool spool) => _spool = spool;

    public IFrameSpool Spool => _spool;

    /// <summary>The cursor of one webhook.</summary>
    public static string WebhookConsumer(string name) => "alarms-webhook-" + name;

    /// <summary>Opens (or creates) the outbox in <paramref name="directory"/>/outbox for the named consumers.</summary>
    public static AlarmOutbox Open(string directory, long budgetBytes, IReadOnlyCollection<string> consumers, ILogger<FileSpool>? logger,
        IMeterFactory? meterFactory, TimeProvider? timeProvider)
    {
        long segment = Math.Min(8L * 1024 * 1024, budgetBytes / 4);
        var options = new SpoolOptions
        {
            Directory = Path.Combine(directory, FolderName),
            SegmentBytes = segment,
            DiskBudgetBytes = budgetBytes,
            MaxBatchBytes = (int)Math.Min(segment, 1024 * 1024),
            MaxRecordBytes = 64 * 1024,
            // Every delivery moves its cursor on disk at once: a restart re-sends at most the phase in flight.
            CursorPersistInterval = TimeSpan.Zero,
            RetainAfterConsumed = TimeSpan.Zero,
        };
        return new AlarmOutbox(FileSpool.Open(options, logger, meterFactory, timeProvider, consumers));
    }

    /// <summary>Appends the phases in order; they share one group commit. Throws when the outbox refuses one (full, disk error).</summary>
    public async ValueTask AppendAsync(IReadOnlyList<AlarmEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }
        var appends = new ValueTask<SpoolAppendResult>[events.Count];
        for (int i = 0; i < events.Count; i++)
        {
            appends[i] = _spool.AppendAsync(events[i].ToJsonUtf8(), cancellationToken);
        }
        SpoolAppendStatus refused = SpoolAppendStatus.Committed;
        for (int i = 0; i < appends.Length; i++)
        {
            var result = await appends[i].ConfigureAwait(false);
            if (result.Status != SpoolAppendStatus.Committed && refused == SpoolAppendStatus.Committed)
            {
                refused = result.Status;
            }
        }
        if (refused != SpoolAppendStatus.Committed)
        {
            throw new SpoolDeliveryException($"the alarm outbox refused {events.Count} event phases ({refused}): a destination holds it at its budget, or the disk failed");
        }
    }

    public ValueTask DisposeAsync() => _spool.DisposeAsync();
}
