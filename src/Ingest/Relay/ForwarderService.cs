using Ingest.Forwarder.Diagnostics;
using Ingest.Forwarder.Links;
using Ingest.Registry;
using Ingest.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Relay;

/// <summary>
/// Runs every configured platform link inside the ingest host, each through its own spool-consumer loop on the
/// cursor "relay-NAME": the loop reads, rewinds after an outage and reconnects with backoff; the link logs in,
/// relays, confirms and heartbeats.
/// </summary>
public sealed class ForwarderService : BackgroundService
{
    /// <summary>
    /// Batches a link may have written but not yet confirmed; when reached, the link confirms at once. Bounds the
    /// buffers held for a link (each batch keeps its spool read buffer until confirmed) and what is resent after a drop.
    /// </summary>
    private const int MaxUnconfirmedBatches = 16;

    private readonly IFrameSpool _spool;
    private readonly ForwarderOptions _options;
    private readonly ForwarderMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly TimeSpan _linger;
    private readonly SpoolConsumerMetrics? _consumerMetrics;
    private readonly IVehicleRegistry _registry;
    private readonly List<PlatformLink> _links = [];
    private readonly List<RegistryRelayFilter> _filters = [];

    public ForwarderService(
        IFrameSpool spool,
        IOptions<ForwarderOptions> options,
        ForwarderMetrics metrics,
        TimeProvider time,
        ILoggerFactory loggers,
        IVehicleRegistry registry,
        IOptions<SpoolOptions>? spoolOptions = null,
        SpoolConsumerMetrics? consumerMetrics = null)
    {
        _registry = registry;
        _spool = spool;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _loggers = loggers;
        _linger = (spoolOptions?.Value ?? new SpoolOptions()).ConsumerLinger;
        _consumerMetrics = consumerMetrics;
    }

    public IReadOnlyList<PlatformLink> Links => _links;

    public static string ConsumerName(string link) => $"relay-{link}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runs = new List<Task>();
        foreach (var linkOptions in _options.Links)
        {
            var logger = _loggers.CreateLogger($"Ingest.Forwarder.{linkOptions.Name}");
            var link = new PlatformLink(linkOptions, _time, _metrics, logger);
            var filter = new RegistryRelayFilter(linkOptions.Name, linkOptions.Filter, _registry);
            _filters.Add(filter);
            var loop = new SpoolConsumerLoop(ConsumerName(linkOptions.Name), _spool, new PlatformLinkDelivery(link, filter), new SpoolConsumerLoopOptions
            {
                MaxBatchRecords = linkOptions.BatchFrames,
                Linger = _linger,
                IdleWait = linkOptions.HeartbeatInterval < link.ConfirmInterval ? linkOptions.HeartbeatInterval : link.ConfirmInterval,
                MaxInFlightBatches = MaxUnconfirmedBatches,
                MinRetryDelay = linkOptions.MinReconnectDelay,
                MaxRetryDelay = linkOptions.MaxReconnectDelay,
                StopTimeout = linkOptions.ReplyTimeout,
            }, logger, _time, _consumerMetrics);
            _links.Add(link);
            runs.Add(Task.Run(async () =>
            {
                await loop.RunAsync(stoppingToken).ConfigureAwait(false);
                await link.CloseAsync().ConfigureAwait(false);
            }, CancellationToken.None));
        }
        return Task.WhenAll(runs);
    }

    public override void Dispose()
    {
        foreach (var filter in _filters)
        {
            filter.Dispose();
        }
        base.Dispose();
    }
}
