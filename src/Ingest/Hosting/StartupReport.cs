using Ingest.Diagnostics;
using Ingest.Relay;
using Ingest.Sessions;
using Ingest.Spool;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Hosting;

/// <summary>Says clearly at start what this node runs with, and what it does without what is missing.</summary>
public sealed class StartupReport : IHostedService
{
    private readonly StorageConfiguration _storage;
    private readonly IFrameSpool _spool;
    private readonly IOptions<SpoolOptions> _spoolOptions;
    private readonly IOptions<ForwarderOptions> _forwarder;
    private readonly IOptions<IngestOptions> _ingest;
    private readonly ILogger<StartupReport> _logger;
    private readonly IHostApplicationLifetime _lifetime;

    public StartupReport(StorageConfiguration storage, IFrameSpool spool, IOptions<SpoolOptions> spoolOptions, IOptions<ForwarderOptions> forwarder,
        IOptions<IngestOptions> ingest, ILogger<StartupReport> logger, IHostApplicationLifetime lifetime)
    {
        _lifetime = lifetime;
        _storage = storage;
        _spool = spool;
        _spoolOptions = spoolOptions;
        _forwarder = forwarder;
        _ingest = ingest;
        _logger = logger;
    }

    /// <summary>Reports once everything has started, ports bound included: "started" is never followed by a bind failure.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _lifetime.ApplicationStarted.Register(Report);
        _lifetime.ApplicationStopping.Register(() => HostLog.Stopping(_logger, _ingest.Value.NodeName));
        return Task.CompletedTask;
    }

    private void Report()
    {
        var stats = _spool.GetStats();
        HostLog.Started(_logger, _ingest.Value.NodeName, Path.GetFullPath(_spoolOptions.Value.Directory), stats.NextOffset, stats.DiskBytes, _ingest.Value.HttpUrl);
        if (!_storage.ClickHouse)
        {
            HostLog.NoClickHouse(_logger);
        }
        if (!_storage.Redis)
        {
            HostLog.NoRedis(_logger);
        }
        if (_forwarder.Value.Links.Count == 0)
        {
            HostLog.NoForwarding(_logger);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
