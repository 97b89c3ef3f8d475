using Ingest.Forwarder.Diagnostics;
using Ingest.Forwarder.Links;
using Ingest.Registry;
using Ingest.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Relay;

/// <summary>Runs every configured platform link inside the ingest host, each on its own spool cursor "relay-NAME".</summary>
public sealed class ForwarderService : BackgroundService
{
    private readonly IFrameSpool _spool;
    private readonly ForwarderOptions _options;
    private readonly ForwarderMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly IVehicleRegistry _registry;
    private readonly List<PlatformLink> _links = [];
    private readonly List<RegistryRelayFilter> _filters = [];

    public ForwarderService(IFrameSpool spool, IOptions<ForwarderOptions> options, ForwarderMetrics metrics, TimeProvider time, ILoggerFactory loggers,
        IVehicleRegistry registry)
    {
        _registry = registry;
        _spool = spool;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _loggers = loggers;
    }

    public IReadOnlyList<PlatformLink> Links => _links;

    public static string ConsumerName(string link) => $"relay-{link}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runs = new List<Task>();
        foreach (var linkOptions in _options.Links)
        {
            var filter = new RegistryRelayFilter(linkOptions.Name, linkOptions.Filter, _registry);
            _filters.Add(filter);
            var source = new SpoolRelaySource(_spool.OpenConsumer(ConsumerName(linkOptions.Name)), filter);
            var link = new PlatformLink(linkOptions, source, _time, _metrics, _loggers.CreateLogger($"Ingest.Forwarder.{linkOptions.Name}"));
            _links.Add(link);
            runs.Add(Task.Run(() => link.RunAsync(stoppingToken), CancellationToken.None));
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
