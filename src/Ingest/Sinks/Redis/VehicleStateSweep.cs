using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Sinks.Redis;

/// <summary>
/// One periodic sweep over the store (Redis or in-process), as <c>IdleSweep</c> is for sessions: vehicles silent for
/// <see cref="RedisOptions.OfflineAfter"/> are marked offline (a terminal that dropped without a logout), and the state
/// of vehicles unseen for <see cref="RedisOptions.ForgetAfter"/> is deleted. Every node sweeps; the store makes that
/// harmless (each step is conditional on the vehicle still being unseen).
/// </summary>
public sealed class VehicleStateSweep : BackgroundService
{
    private readonly IVehicleStateStore _store;
    private readonly RedisOptions _options;
    private readonly RedisStateMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private long _reportedEvictions;

    public VehicleStateSweep(IVehicleStateStore store, IOptions<RedisOptions> options, RedisStateMetrics metrics,
        ILogger<VehicleStateSweep> logger, TimeProvider timeProvider)
    {
        _store = store;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _time = timeProvider;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.SweepInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host is stopping.
        }
    }

    public async Task<StateSweepResult> SweepOnceAsync(CancellationToken cancellationToken)
    {
        StateSweepResult result;
        try
        {
            result = await _store.SweepAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _metrics.Error("sweep");
            RedisStateLog.SweepFailed(_logger, exception.Message);
            return new StateSweepResult(0, 0, Completed: false);
        }
        _metrics.Swept(result);
        if (result.MarkedOffline > 0 || result.Forgotten > 0)
        {
            RedisStateLog.Swept(_logger, result.MarkedOffline, _options.OfflineAfter, result.Forgotten, _options.ForgetAfter);
        }
        if (_store is InMemoryVehicleStateStore memory && memory.Evicted > _reportedEvictions)
        {
            _reportedEvictions = memory.Evicted;
            RedisStateLog.InProcessEvicted(_logger, _options.MaxInProcessVehicles, _reportedEvictions);
        }
        return result;
    }
}
