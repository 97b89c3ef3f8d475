using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Quality;

/// <summary>Where a day's figures came from.</summary>
public enum QualitySource
{
    /// <summary>Read from <c>quality_daily</c> (a closed day the schedule, or <c>quality --store</c>, computed).</summary>
    Stored,

    /// <summary>Computed from the stored frames at the time of asking (today, or a day not stored yet).</summary>
    Live,
}

/// <summary>
/// The figures of a day or of one vehicle's days. A closed day that <c>quality_daily</c> holds is read from there; today
/// and days not stored yet are computed live by the same query, and a live day of the whole fleet is kept in memory
/// for <see cref="QualityOptions.LiveCacheDuration"/> (so a dashboard polling every tenant's report costs one query per
/// period, not one per request).
/// </summary>
public sealed class QualityReports
{
    /// <summary>Live days kept at once (each is one row per reporting vehicle).</summary>
    private const int MaxCachedDays = 4;

    private readonly QualityStore _store;
    private readonly QualityOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<DateOnly, (DateTimeOffset At, IReadOnlyList<VehicleDayQuality> Rows)> _live = new();
    private readonly SemaphoreSlim _computing = new(1, 1);

    public QualityReports(QualityStore store, IOptions<QualityOptions> options, TimeProvider time, ILogger<QualityReports> logger)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public QualityOptions Options => _options;

    /// <summary>The queries, as they are sent.</summary>
    public QualitySql Sql => _store.Sql;

    /// <summary>Today in the report's time zone.</summary>
    public DateOnly Today => _store.Sql.DayOf(_time.GetUtcNow());

    /// <summary>Every vehicle's row of a day that reported anything (frames received or samples of that day).</summary>
    public async Task<(IReadOnlyList<VehicleDayQuality> Rows, QualitySource Source)> GetDayAsync(DateOnly day, CancellationToken cancellationToken)
    {
        if (day < Today && (await _store.StoredDaysAsync(day, day, cancellationToken).ConfigureAwait(false)).Contains(day))
        {
            return (await _store.ReadStoredAsync(day, day, null, cancellationToken).ConfigureAwait(false), QualitySource.Stored);
        }
        return (await LiveDayAsync(day, cancellationToken).ConfigureAwait(false), QualitySource.Live);
    }

    /// <summary>One vehicle's rows of the days (inclusive): stored days from the table, the others computed live for it alone.</summary>
    public async Task<IReadOnlyList<(VehicleDayQuality Row, QualitySource Source)>> GetVehicleAsync(string vin, DateOnly first, DateOnly last,
        CancellationToken cancellationToken)
    {
        var stored = await _store.StoredDaysAsync(first, last, cancellationToken).ConfigureAwait(false);
        stored.RemoveWhere(d => d >= Today);
        var result = new List<(VehicleDayQuality, QualitySource)>();
        if (stored.Count > 0)
        {
            var rows = await _store.ReadStoredAsync(first, last, vin, cancellationToken).ConfigureAwait(false);
            result.AddRange(rows.Where(r => stored.Contains(r.Day)).Select(r => (r, QualitySource.Stored)));
        }
        if (stored.Count < last.DayNumber - first.DayNumber + 1)
        {
            var rows = await _store.ComputeAsync(first, last, vin, cancellationToken).ConfigureAwait(false);
            result.AddRange(rows.Where(r => !stored.Contains(r.Day)).Select(r => (r, QualitySource.Live)));
        }
        return result.OrderBy(r => r.Item1.Day).ToList();
    }

    /// <summary>Computes the days and stores them (the schedule and <c>quality --store</c>).</summary>
    public async Task StoreAsync(DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await _store.StoreAsync(first, last, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        QualityLog.DaysStored(_logger, first, last, Stopwatch.GetElapsedTime(started).TotalSeconds);
        lock (_live)
        {
            for (var day = first; day <= last; day = day.AddDays(1))
            {
                _live.Remove(day);
            }
        }
    }

    private async Task<IReadOnlyList<VehicleDayQuality>> LiveDayAsync(DateOnly day, CancellationToken cancellationToken)
    {
        if (TryCached(day, out var cached))
        {
            return cached;
        }
        // One computation of a day at a time: concurrent askers of the same day wait for it instead of repeating it.
        await _computing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (TryCached(day, out cached))
            {
                return cached;
            }
            var started = Stopwatch.GetTimestamp();
            var rows = await _store.ComputeAsync(day, day, null, cancellationToken).ConfigureAwait(false);
            QualityLog.DayComputedLive(_logger, day, rows.Count, Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (_options.LiveCacheDuration > TimeSpan.Zero)
            {
                lock (_live)
                {
                    if (_live.Count >= MaxCachedDays)
                    {
                        _live.Remove(_live.MinBy(e => e.Value.At).Key);
                    }
                    _live[day] = (_time.GetUtcNow(), rows);
                }
            }
            return rows;
        }
        finally
        {
            _computing.Release();
        }
    }

    private bool TryCached(DateOnly day, out IReadOnlyList<VehicleDayQuality> rows)
    {
        lock (_live)
        {
            if (_live.TryGetValue(day, out var entry) && _time.GetUtcNow() - entry.At < _options.LiveCacheDuration)
            {
                rows = entry.Rows;
                return true;
            }
        }
        rows = [];
        return false;
    }
}
