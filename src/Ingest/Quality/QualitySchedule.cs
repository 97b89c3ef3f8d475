using Ingest.Sinks.ClickHouse;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Quality;

/// <summary>
/// Fills <c>quality_daily</c>: every day at <see cref="QualityOptions.DailyRunAt"/> it computes the last
/// <see cref="QualityOptions.RecomputeDays"/> closed days (so reissued data that arrived since is counted), and at start
/// it does so at once when yesterday is not stored yet (a node that was down at the hour). A failed run is tried again
/// after <see cref="RetryDelay"/>. Several nodes may run it: each run replaces the same rows.
/// </summary>
/// <remarks>
/// Why a stored daily table rather than only live queries: the daily report of a whole fleet scans a day of samples,
/// cell arrays included, which on 18.16 costs seconds to minutes for a large fleet; computed once a night it is then
/// a read of one small row per vehicle for every request, every tenant and the CSV export, and the figures of a closed
/// day stop changing once late data has stopped arriving. Today (and any day not stored) is computed live and cached.
/// </remarks>
public sealed class QualitySchedule : BackgroundService
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(5);

    private readonly QualityReports _reports;
    private readonly QualityStore _store;
    private readonly QualityOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public QualitySchedule(QualityReports reports, QualityStore store, IOptions<QualityOptions> options, TimeProvider time, ILogger<QualitySchedule> logger)
    {
        _reports = reports;
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Waits (quietly) up to <see cref="StartWait"/> for the sink to create <c>quality_daily</c>, so a normal start
    /// does not log a failed run; after that the run goes ahead and says what is wrong.
    /// </summary>
    private async Task WaitForTableAsync(CancellationToken stoppingToken)
    {
        var until = _time.GetUtcNow() + StartWait;
        try
        {
            while (!await _store.TableExistsAsync(stoppingToken).ConfigureAwait(false) && _time.GetUtcNow() < until)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), _time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: ExecuteAsync sees the token next.
        }
    }

    /// <summary>Longest wait at start for the table before the first run goes ahead anyway.</summary>
    public static readonly TimeSpan StartWait = TimeSpan.FromMinutes(2);

    /// <summary>The next daily run strictly after <paramref name="now"/>.</summary>
    public static DateTimeOffset NextRun(DateTimeOffset now, QualityOptions options)
    {
        var local = now.ToOffset(options.UtcOffset);
        var today = new DateTimeOffset(local.Date, options.UtcOffset) + options.DailyRunAt;
        return today > now ? today : today.AddDays(1);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.ScheduleEnabled)
        {
            QualityLog.ScheduleOff(_logger);
            return;
        }
        await WaitForTableAsync(stoppingToken).ConfigureAwait(false);
        bool checkedAtStart = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var last = _reports.Today.AddDays(-1);
            var first = last.AddDays(1 - _options.RecomputeDays);
            try
            {
                if (!checkedAtStart)
                {
                    // The sink creates the table at its start; until then this fails and is tried again.
                    if (!(await _store.StoredDaysAsync(last, last, stoppingToken).ConfigureAwait(false)).Contains(last))
                    {
                        await _reports.StoreAsync(first, last, stoppingToken).ConfigureAwait(false);
                    }
                    checkedAtStart = true;
                }
                var runAt = NextRun(_time.GetUtcNow(), _options);
                QualityLog.Scheduled(_logger, runAt, _options.RecomputeDays, _options.UtcOffset);
                await Task.Delay(runAt - _time.GetUtcNow(), _time, stoppingToken).ConfigureAwait(false);
                last = _reports.Today.AddDays(-1);
                await _reports.StoreAsync(last.AddDays(1 - _options.RecomputeDays), last, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                QualityLog.DaysFailed(_logger, first, last, _time.GetUtcNow() + RetryDelay, ClickHouseDatabase.Describe(exception));
                // Tried again as at start: yesterday is computed unless it got stored meanwhile.
                checkedAtStart = false;
                try
                {
                    await Task.Delay(RetryDelay, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
