using Ingest.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ingest.AlarmEvents;

/// <summary>
/// Runs one spool-consumer loop per destination over the <see cref="AlarmOutbox"/>: each has its own cursor, so a
/// webhook that is down only holds its own place (its events wait on disk, retried with backoff) while the
/// others, the detector and the terminals go on.
/// </summary>
public sealed class AlarmDeliveryService : BackgroundService
{
    private readonly IReadOnlyList<SpoolConsumerLoop> _loops;
    private readonly IReadOnlyList<AlarmDelivery> _deliveries;
    private readonly ILogger _logger;
    private readonly string _directory;

    internal AlarmDeliveryService(AlarmOutbox outbox, IReadOnlyList<AlarmDelivery> deliveries, AlarmOptions options, string directory,
        ILogger<AlarmDeliveryService> logger, TimeProvider timeProvider, SpoolConsumerMetrics? consumerMetrics)
    {
        _deliveries = deliveries;
        _logger = logger;
        _directory = directory;
        _loops = deliveries.Select(d => new SpoolConsumerLoop(d.Destination, outbox.Spool, d, new SpoolConsumerLoopOptions
        {
            MaxBatchRecords = 200,
            Linger = TimeSpan.Zero, // an event goes out as soon as it is in the outbox
            IdleWait = TimeSpan.FromSeconds(1),
            MinRetryDelay = options.MinRetryDelay,
            MaxRetryDelay = options.MaxRetryDelay,
        }, logger, timeProvider, consumerMetrics)).ToList();
    }

    /// <summary>Each destination's loop (cursor name = destination), for /readyz and tests.</summary>
    public IReadOnlyList<SpoolConsumerLoop> Loops => _loops;

    /// <summary>The names of the outbox cursors for these options and storage.</summary>
    public static IReadOnlyCollection<string> ConsumerNames(AlarmOptions options, bool clickHouse, bool redis)
    {
        var names = new List<string>();
        if (clickHouse)
        {
            names.Add(AlarmOutbox.ClickHouseConsumer);
        }
        if (redis)
        {
            names.Add(AlarmOutbox.RedisConsumer);
        }
        names.AddRange(options.Webhooks.Select(w => AlarmOutbox.WebhookConsumer(w.Name)));
        return names;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        AlarmLog.DeliveriesStarted(_logger, _loops.Count == 0 ? "nowhere but GET /alarms/recent" : string.Join(", ", _loops.Select(l => l.Name)),
            Path.Combine(_directory, AlarmOutbox.FolderName));
        try
        {
            await Task.WhenAll(_loops.Select(l => Task.Run(() => l.RunAsync(stoppingToken), CancellationToken.None))).ConfigureAwait(false);
        }
        finally
        {
            foreach (var delivery in _deliveries.OfType<IDisposable>())
            {
                delivery.Dispose();
            }
        }
    }
}
