using System.Text.Json.Serialization;
using Ingest.Sinks.ClickHouse;

namespace Ingest.Quality;

/// <summary>The report's reads and writes in ClickHouse: live computation, storing days, reading stored days.</summary>
public sealed class QualityStore
{
    private readonly ClickHouseDatabase _database;

    public QualityStore(ClickHouseDatabase database, QualityOptions options)
    {
        _database = database;
        Sql = new QualitySql(options, database);
    }

    public QualitySql Sql { get; }

    /// <summary>Computes the days (inclusive) from the stored frames and samples, without storing the result.</summary>
    public Task<IReadOnlyList<VehicleDayQuality>> ComputeAsync(DateOnly first, DateOnly last, string? vin, CancellationToken cancellationToken) =>
        ReadAsync(Sql.Select(first, last, vin), cancellationToken);

    /// <summary>Computes the days and stores them in <c>quality_daily</c>, replacing earlier computations.</summary>
    public Task StoreAsync(DateOnly first, DateOnly last, DateTimeOffset computedAt, CancellationToken cancellationToken) =>
        _database.InsertSelectAsync(Sql.Insert(first, last, computedAt), cancellationToken);

    /// <summary>Stored rows of the days (inclusive), for one vehicle or all.</summary>
    public Task<IReadOnlyList<VehicleDayQuality>> ReadStoredAsync(DateOnly first, DateOnly last, string? vin, CancellationToken cancellationToken) =>
        ReadAsync(Sql.Stored(first, last, vin), cancellationToken);

    /// <summary>Whether <c>quality_daily</c> exists (the ClickHouse sink creates it at its start); false when ClickHouse cannot say.</summary>
    public async Task<bool> TableExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var text = await _database.QueryTextAsync($"EXISTS TABLE {_database.Qualified(VehicleDayQuality.Table.Name)}", cancellationToken)
                .ConfigureAwait(false);
            return text.Trim() == "1";
        }
        catch (Exception exception) when (exception is HttpRequestException or ClickHouse.Driver.ClickHouseServerException
            || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>The days of the range that have stored rows.</summary>
    public async Task<HashSet<DateOnly>> StoredDaysAsync(DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryJsonEachRowAsync(Sql.StoredDays(first, last), QualityJsonContext.Default.StoredDayJson, cancellationToken)
            .ConfigureAwait(false);
        return rows.Select(r => FromDayNumber(r.DayNumber)).ToHashSet();
    }

    private async Task<IReadOnlyList<VehicleDayQuality>> ReadAsync(string sql, CancellationToken cancellationToken)
    {
        var rows = await _database.QueryJsonEachRowAsync(sql + " ORDER BY day_number, vin", QualityJsonContext.Default.QualityRowJson, cancellationToken)
            .ConfigureAwait(false);
        return rows.Select(r => new VehicleDayQuality
        {
            Day = FromDayNumber(r.DayNumber),
            Vin = r.Vin,
            Protocol = r.Protocol switch { 1 => "gb32960", 2 => "hj1239", _ => "unknown" },
            Frames = r.Frames,
            RealtimeFrames = r.RealtimeFrames,
            ReissueFrames = r.ReissueFrames,
            LateFrames = r.LateFrames,
            Samples = r.Samples,
            RunningSamples = r.RunningSamples,
            Gaps = r.Gaps,
            MissingSamples = r.MissingSamples,
            LongestGapSeconds = r.LongestGapSeconds,
            FailedSamples = r.FailedSamples,
            FailRange = r.FailRange,
            FailSoc = r.FailSoc,
            FailCellSum = r.FailCellSum,
            FailOdometer = r.FailOdometer,
            FailPosition = r.FailPosition,
            FailClockSkew = r.FailClockSkew,
            FailFuture = r.FailFuture,
        }).ToList();
    }

    private static DateOnly FromDayNumber(long days) => DateOnly.FromDayNumber(UnixEpochDayNumber + (int)days);

    private static readonly int UnixEpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;
}

/// <summary>One JSONEachRow line of the report query (counters as ClickHouse names them).</summary>
internal sealed record QualityRowJson(
    [property: JsonPropertyName("day_number")] long DayNumber,
    [property: JsonPropertyName("vin")] string Vin,
    [property: JsonPropertyName("protocol")] int Protocol,
    [property: JsonPropertyName("frames")] long Frames,
    [property: JsonPropertyName("realtime_frames")] long RealtimeFrames,
    [property: JsonPropertyName("reissue_frames")] long ReissueFrames,
    [property: JsonPropertyName("late_frames")] long LateFrames,
    [property: JsonPropertyName("samples")] long Samples,
    [property: JsonPropertyName("running_samples")] long RunningSamples,
    [property: JsonPropertyName("gaps")] long Gaps,
    [property: JsonPropertyName("missing_samples")] long MissingSamples,
    [property: JsonPropertyName("longest_gap_s")] long LongestGapSeconds,
    [property: JsonPropertyName("failed_samples")] long FailedSamples,
    [property: JsonPropertyName("fail_range")] long FailRange,
    [property: JsonPropertyName("fail_soc")] long FailSoc,
    [property: JsonPropertyName("fail_cell_sum")] long FailCellSum,
    [property: JsonPropertyName("fail_odometer")] long FailOdometer,
    [property: JsonPropertyName("fail_position")] long FailPosition,
    [property: JsonPropertyName("fail_clock_skew")] long FailClockSkew,
    [property: JsonPropertyName("fail_future")] long FailFuture);

internal sealed record StoredDayJson([property: JsonPropertyName("day_number")] long DayNumber);

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(QualityRowJson))]
[JsonSerializable(typeof(StoredDayJson))]
internal sealed partial class QualityJsonContext : JsonSerializerContext
{
}
