using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Ingest.Sinks.Redis;

/// <summary>
/// Rebuilds live state from the stored history when Redis comes back without it. The sign is the sentinel
/// <see cref="RedisKeys.Epoch"/>: it is checked at start, after every reconnect and every
/// <see cref="RedisOptions.EpochCheckInterval"/>; when it is missing, the node that manages to write it (SET NX: one
/// node of many) reads the latest row per vehicle from ClickHouse and writes it through the ordinary merge, which
/// never rolls state back, so a live update racing the rebuild wins when it is newer. A reconnect to a Redis that kept
/// its data finds the sentinel and rebuilds nothing.
/// </summary>
public sealed class RedisStateRebuild : BackgroundService
{
    private const int BatchUpdates = 1_000;

    private readonly RedisVehicleStateStore _store;
    private readonly IVehicleStateSource _source;
    private readonly RedisOptions _options;
    private readonly RedisStateMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private int _rebuilds;

    public RedisStateRebuild(RedisVehicleStateStore store, IVehicleStateSource source, IOptions<RedisOptions> options,
        RedisStateMetrics metrics, ILogger<RedisStateRebuild> logger, TimeProvider timeProvider)
    {
        _store = store;
        _source = source;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _time = timeProvider;
        _store.Reconnected += Wake;
    }

    /// <summary>Rebuilds completed by this instance.</summary>
    public int Rebuilds => Volatile.Read(ref _rebuilds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await CheckAsync(stoppingToken).ConfigureAwait(false);
                using var interval = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var tick = Task.Delay(_options.EpochCheckInterval, _time, interval.Token);
                await Task.WhenAny(tick, _wake.WaitAsync(interval.Token)).ConfigureAwait(false);
                await interval.CancelAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host is stopping.
        }
        finally
        {
            _store.Reconnected -= Wake;
        }
    }

    /// <summary>Checks the sentinel once and rebuilds when it was missing. Returns whether a rebuild ran and succeeded.</summary>
    public async Task<bool> CheckAsync(CancellationToken cancellationToken)
    {
        if (!_store.IsConnected)
        {
            return false;
        }
        try
        {
            if (!await _store.ClaimEpochAsync($"{Environment.MachineName} {_time.GetUtcNow():O}", cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException)
        {
            RedisStateLog.EpochCheckFailed(_logger, exception.Message);
            return false;
        }
        return await RebuildAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> RebuildAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var now = _time.GetUtcNow();
        var since = now - _options.ForgetAfter;
        var offlineBefore = now - _options.OfflineAfter;
        RedisStateLog.RebuildStarted(_logger, _store.Keys.Epoch.ToString(), since);
        var batch = new List<VehicleState>(BatchUpdates);
        var vehicles = new HashSet<string>(StringComparer.Ordinal);
        var online = new HashSet<string>(StringComparer.Ordinal);
        int written = 0;
        try
        {
            await foreach (var update in _source.ReadLatestAsync(since, cancellationToken).ConfigureAwait(false))
            {
                // History says nothing of whether a connection is still open: only a recent vehicle counts as online.
                var current = update.Online && update.ReceivedAt > offlineBefore ? update : update with { Online = false };
                vehicles.Add(current.Vin);
                if (current.Online)
                {
                    online.Add(current.Vin);
                }
                else
                {
                    online.Remove(current.Vin);
                }
                batch.Add(current);
                if (batch.Count == BatchUpdates)
                {
                    written += await ApplyAsync(batch, cancellationToken).ConfigureAwait(false);
                }
            }
            written += await ApplyAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics.Rebuilt(succeeded: false, written);
            RedisStateLog.RebuildFailed(_logger, written, exception.Message);
            await ReleaseEpochAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
        _metrics.Rebuilt(succeeded: true, written);
        Interlocked.Increment(ref _rebuilds);
        RedisStateLog.Rebuilt(_logger, written, vehicles.Count, online.Count, Stopwatch.GetElapsedTime(started));
        return true;
    }

    private async Task<int> ApplyAsync(List<VehicleState> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }
        var result = await _store.ApplyAsync(batch, cancellationToken).ConfigureAwait(false);
        if (result.Status != StateApplyStatus.Applied)
        {
            throw new InvalidOperationException("Redis became unavailable during the rebuild.");
        }
        int count = batch.Count;
        batch.Clear();
        return count;
    }

    private async Task ReleaseEpochAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _store.ReleaseEpochAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisConnectionException or RedisTimeoutException)
        {
            // Redis is gone again: it comes back without the sentinel, or with it and a half-built state that the sink
            // keeps filling as vehicles report.
            RedisStateLog.EpochCheckFailed(_logger, exception.Message);
        }
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A check is already pending.
        }
    }

    public override void Dispose()
    {
        _store.Reconnected -= Wake;
        _wake.Dispose();
        base.Dispose();
    }
}
