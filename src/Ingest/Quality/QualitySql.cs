using System.Globalization;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.Rows;

namespace Ingest.Quality;

/// <summary>
/// The report's one query, computed entirely in ClickHouse and written for 18.16: no window functions (they do not
/// exist there), no <c>neighbor</c>, no query parameters. Per vehicle, the samples of a day are collapsed to one row per
/// distinct device time (so split cell lists and resent copies count once, and no FINAL is needed on the sample tables),
/// gathered with <c>groupArray</c>, sorted by time with <c>arraySort(lambda, values, times)</c>, and compared with their
/// successor through <c>arrayDifference</c> and <c>arrayPopFront</c>/<c>arrayPopBack</c>: gaps, the interval each
/// gap was allowed (1 s when the sample before it carried a level-3 alarm) and odometer decreases. Frame counts come from
/// <c>frames_raw FINAL</c> by receive time. The three parts are summed per (vehicle, day) over a <c>UNION ALL</c>, so
/// no JOIN is needed either.
/// </summary>
/// <remarks>
/// Cost: one scan of the range's rows of <c>frames_raw</c>, <c>vehicle_samples</c> (cell arrays included) and
/// <c>emission_samples</c>; memory is one array per vehicle and day of its distinct sample times (a vehicle at 1 Hz
/// is 86,400 elements of a few bytes). With a VIN the scans use the tables' sorting key.
/// </remarks>
public sealed class QualitySql
{
    private const int SecondsPerDay = 86_400;

    private readonly QualityOptions _options;
    private readonly ClickHouseDatabase _database;

    public QualitySql(QualityOptions options, ClickHouseDatabase database)
    {
        _options = options;
        _database = database;
    }

    /// <summary>Start of a report day as an instant.</summary>
    public DateTimeOffset DayStart(DateOnly day) =>
        new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) - _options.UtcOffset;

    /// <summary>The report day an instant falls on.</summary>
    public DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime((instant.UtcDateTime + _options.UtcOffset).Date);

    /// <summary>
    /// <c>SELECT day_number, vin, protocol, counters...</c> for the days <paramref name="first"/>..<paramref name="last"/>
    /// (inclusive), for one vehicle or all. <c>day_number</c> is days since 1970-01-01.
    /// </summary>
    public string Select(DateOnly first, DateOnly last, string? vin)
    {
        var from = DayStart(first);
        var to = DayStart(last.AddDays(1));
        var sums = string.Join(", ", VehicleDayQuality.CountColumns.Select(c => c == "longest_gap_s" ? $"max({c}) AS {c}" : $"sum({c}) AS {c}"));
        return $"SELECT day_number, vin, max(protocol) AS protocol, {sums} FROM ({FramesPart(from, to, vin)} UNION ALL " +
            $"{SamplesPart(GbSamples(from, to, vin), 1, _options.Gb32960.ReportInterval, _options.Gb32960.AlarmReportInterval)} UNION ALL " +
            $"{SamplesPart(HjSamples(from, to, vin), 2, _options.Hj1239.SampleInterval, _options.Hj1239.SampleInterval)}) " +
            "GROUP BY day_number, vin";
    }

    /// <summary>The query that stores days into <c>quality_daily</c>, stamped <paramref name="computedAt"/>.</summary>
    public string Insert(DateOnly first, DateOnly last, DateTimeOffset computedAt)
    {
        var counts = string.Join(", ", VehicleDayQuality.CountColumns);
        return $"INSERT INTO {_database.Qualified(VehicleDayQuality.Table.Name)} (day, vin, protocol, computed_at, {counts}) " +
            $"SELECT toDate(toUInt16(day_number)), vin, CAST(protocol AS {EnumTypes.Protocol}), {SqlLiteral.DateTime(computedAt)}, {counts} " +
            $"FROM ({Select(first, last, null)})";
    }

    /// <summary>Stored rows of the days (and vehicle), newest computation per (day, vin).</summary>
    public string Stored(DateOnly first, DateOnly last, string? vin) =>
        $"SELECT toUInt16(day) AS day_number, vin, toUInt8(protocol) AS protocol, {string.Join(", ", VehicleDayQuality.CountColumns)} " +
        $"FROM {_database.Qualified(VehicleDayQuality.Table.Name)} FINAL " +
        $"WHERE day >= {DateLiteral(first)} AND day <= {DateLiteral(last)}{(vin is null ? "" : " AND vin = " + SqlLiteral.Quote(vin))}";

    /// <summary>Which of the days have stored rows.</summary>
    public string StoredDays(DateOnly first, DateOnly last) =>
        $"SELECT DISTINCT toUInt16(day) AS day_number FROM {_database.Qualified(VehicleDayQuality.Table.Name)} " +
        $"WHERE day >= {DateLiteral(first)} AND day <= {DateLiteral(last)}";

    public static string DateLiteral(DateOnly day) => "toDate('" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "')";

    /// <summary>Frames received per (day, vin): every command, realtime, reissue, late realtime.</summary>
    private string FramesPart(DateTimeOffset from, DateTimeOffset to, string? vin)
    {
        var zeros = string.Join(", ", VehicleDayQuality.CountColumns.Skip(4).Select(c => $"toUInt32(0) AS {c}"));
        return $"SELECT {DayNumber("toInt64(toUInt32(received_at))")} AS day_number, vin, toUInt8(max(toUInt8(protocol))) AS protocol, " +
            "toUInt32(count()) AS frames, toUInt32(countIf(command = 2)) AS realtime_frames, toUInt32(countIf(command = 3)) AS reissue_frames, " +
            $"toUInt32(countIf(command = 2 AND isNotNull(device_time) AND toInt64(toUInt32(received_at)) - toInt64(toUInt32(assumeNotNull(device_time))) > {Seconds(_options.LateAfter)})) AS late_frames, " +
            $"{zeros} FROM {_database.Qualified(FrameRawRow.Table.Name)} FINAL " +
            $"WHERE received_at >= {SqlLiteral.DateTime(from)} AND received_at < {SqlLiteral.DateTime(to)} AND vin != ''{VinFilter(vin)} " +
            "GROUP BY day_number, vin";
    }

    /// <summary>
    /// GB/T 32960 samples: one row per (vin, device time) with the flags of that time. Range failures look at every
    /// numeric field with a standard range; the cell-sum check needs a complete cell list (no sentinel cell) and a total voltage.
    /// </summary>
    private string GbSamples(DateTimeOffset from, DateTimeOffset to, string? vin)
    {
        var gb = _options.Gb32960;
        var range = string.Join(" OR ",
            Outside("speed_kmh", gb.SpeedKmh), Outside("odometer_km", gb.OdometerKm), Outside("total_voltage_v", gb.TotalVoltageV),
            Outside("total_current_a", gb.TotalCurrentA), Outside("insulation_kohm", gb.InsulationKohm),
            Outside("max_cell_voltage_v", gb.CellVoltageV), Outside("min_cell_voltage_v", gb.CellVoltageV),
            Outside("max_temperature_c", gb.ProbeTemperatureC), Outside("min_temperature_c", gb.ProbeTemperatureC),
            $"arrayExists(x -> {Outside("x", gb.CellVoltageV)}, cell_voltages_v)",
            $"arrayExists(x -> {Outside("x", gb.ProbeTemperatureC)}, probe_temperatures_c)");
        var tolerance = Number(gb.CellSumTolerancePercent / 100);
        return "SELECT vin, toInt64(toUInt32(device_time)) AS t, " +
            "max(ifNull(vehicle_state = 1, 0)) AS running, max(ifNull(alarm_level = 3, 0)) AS alarm3, " +
            "max(ifNull(odometer_km, -1)) AS odometer, " +
            $"max({range}) AS bad_range, " +
            $"max({Outside("soc_pct", gb.SocPercent)}) AS bad_soc, " +
            // Each row's cells as (sum, count, any sentinel), made distinct per time: the fragments of a split list
            // add up, a resent copy counts once, and the hash set holds three numbers per row instead of the cells.
            "max(total_voltage_v) AS total_v, groupUniqArray((arraySum(arrayMap(x -> ifNull(x, 0), cell_voltages_v)), length(cell_voltages_v), " +
            "arrayExists(x -> isNull(x), cell_voltages_v))) AS packs, " +
            "toUInt8(arraySum(arrayMap(p -> p.2, packs)) > 0 AND NOT arrayExists(p -> p.3 = 1, packs) AND isNotNull(total_v)) AS cells_checkable, " +
            "toUInt8(cells_checkable AND abs(ifNull(total_v, 0) - arraySum(arrayMap(p -> p.1, packs))) " +
            $"> ifNull(total_v, 0) * {tolerance}) AS bad_cells, " +
            $"{CommonFlags()} " +
            $"FROM {_database.Qualified(VehicleSampleRow.Table.Name)} " +
            $"WHERE device_time >= {SqlLiteral.DateTime(from)} AND device_time < {SqlLiteral.DateTime(to)}{VinFilter(vin)} " +
            "GROUP BY vin, t";
    }

    /// <summary>HJ 1239 / GB 17691 data-stream items (diesel 0x02, spark-ignition 0x03, TWC+NOx 0x05): one row per (vin, collection time).</summary>
    private string HjSamples(DateTimeOffset from, DateTimeOffset to, string? vin)
    {
        var hj = _options.Hj1239;
        var range = string.Join(" OR ",
            Outside("speed_kmh", hj.SpeedKmh), Outside("engine_rpm", hj.EngineRpm), Outside("coolant_temp_c", hj.CoolantC),
            Outside("urea_level_pct", hj.UreaLevelPercent), Outside("fuel_level_pct", hj.FuelLevelPercent),
            Outside("nox_upstream_ppm", hj.NoxPpm), Outside("nox_downstream_ppm", hj.NoxPpm));
        return "SELECT vin, toInt64(toUInt32(collection_time)) AS t, " +
            "max(ifNull(engine_rpm, 0) > 0) AS running, toUInt8(0) AS alarm3, " +
            "max(ifNull(odometer_km, -1)) AS odometer, " +
            $"max({range}) AS bad_range, toUInt8(0) AS bad_soc, toUInt8(0) AS bad_cells, " +
            $"{CommonFlags()} " +
            $"FROM {_database.Qualified(EmissionSampleRow.Table.Name)} " +
            $"WHERE info_type IN (2, 3, 5) AND collection_time >= {SqlLiteral.DateTime(from)} AND collection_time < {SqlLiteral.DateTime(to)}{VinFilter(vin)} " +
            "GROUP BY vin, t";
    }

    /// <summary>Position, clock skew and future: the same in both sample tables.</summary>
    private string CommonFlags()
    {
        var box = _options.China;
        return $"toUInt8(1 - max(position_valid = 1 AND ifNull(lon, 1000) >= {Number(box.MinLongitude)} AND ifNull(lon, 1000) <= {Number(box.MaxLongitude)} " +
            $"AND ifNull(lat, 1000) >= {Number(box.MinLatitude)} AND ifNull(lat, 1000) <= {Number(box.MaxLatitude)})) AS bad_position, " +
            $"max(is_reissue = 0 AND abs(toInt64(toUInt32(received_at)) - t) > {Seconds(_options.MaxClockSkew)}) AS bad_skew, " +
            $"max(t > toInt64(toUInt32(received_at)) + {Seconds(_options.FutureTolerance)}) AS bad_future";
    }

    /// <summary>
    /// Per (day, vin) from the per-time rows of <paramref name="samples"/>: arrays sorted by time, gaps between
    /// consecutive running samples, odometer decreases between consecutive samples that carry one.
    /// </summary>
    private string SamplesPart(string samples, int protocol, TimeSpan interval, TimeSpan alarmInterval)
    {
        long normal = Seconds(interval), alarm = Seconds(alarmInterval);
        long cap = _options.MaxCountedGap > TimeSpan.Zero ? Seconds(_options.MaxCountedGap) : long.MaxValue / 2;
        var allowed = $"if(a = 1, {alarm}, {normal})";
        var counted = $"r1 = 1 AND r2 = 1 AND d <= {cap}";
        var pairs = "dts, arrayPopBack(run), arrayPopFront(run), arrayPopBack(alarm)";
        var tolerance = Number(_options.OdometerBackwardToleranceKm);
        var frameZeros = string.Join(", ", VehicleDayQuality.CountColumns.Take(4).Select(c => $"toUInt32(0) AS {c}"));
        return $"SELECT day_number, vin, toUInt8({protocol}) AS protocol, {frameZeros}, " +
            "toUInt32(length(ts)) AS samples, toUInt32(arraySum(run)) AS running_samples, " +
            $"toUInt32(arraySum(arrayMap((d, r1, r2, a) -> {counted} AND d > {allowed}, {pairs}))) AS gaps, " +
            $"toUInt32(arraySum(arrayMap((d, r1, r2, a) -> if({counted}, intDiv(d - 1, {allowed}), 0), {pairs}))) AS missing_samples, " +
            $"toUInt32(arrayReduce('max', arrayMap((d, r1, r2, a) -> if({counted} AND d > {allowed}, d, 0), {pairs}))) AS longest_gap_s, " +
            // A sample fails when any per-time flag is set or its odometer went back; the odometer flags are aligned
            // with the samples that carry an odometer, so the other flags are filtered the same way before combining.
            "toUInt32(arraySum(other) + arraySum(arrayMap((b, f) -> b = 1 AND f = 0, odo_back, arrayFilter((f, o) -> o >= 0, other, odo)))) AS failed_samples, " +
            "toUInt32(sum_range) AS fail_range, toUInt32(sum_soc) AS fail_soc, toUInt32(sum_cells) AS fail_cell_sum, " +
            "toUInt32(arraySum(odo_back)) AS fail_odometer, toUInt32(sum_position) AS fail_position, " +
            "toUInt32(sum_skew) AS fail_clock_skew, toUInt32(sum_future) AS fail_future " +
            "FROM (SELECT day_number, vin, arraySort(groupArray(t)) AS ts, arrayPopFront(arrayDifference(ts)) AS dts, " +
            "arraySort((x, k) -> k, groupArray(running), groupArray(t)) AS run, " +
            "arraySort((x, k) -> k, groupArray(alarm3), groupArray(t)) AS alarm, " +
            "arraySort((x, k) -> k, groupArray(odometer), groupArray(t)) AS odo, " +
            "arraySort((x, k) -> k, groupArray(toUInt8(bad_range OR bad_soc OR bad_cells OR bad_position OR bad_skew OR bad_future)), groupArray(t)) AS other, " +
            "arrayFilter(o -> o >= 0, odo) AS odo_known, " +
            $"if(length(odo_known) = 0, emptyArrayUInt8(), arrayPushFront(arrayMap(d -> toUInt8(d < -{tolerance}), arrayPopFront(arrayDifference(odo_known))), toUInt8(0))) AS odo_back, " +
            "sum(bad_range) AS sum_range, sum(bad_soc) AS sum_soc, sum(bad_cells) AS sum_cells, sum(bad_position) AS sum_position, " +
            "sum(bad_skew) AS sum_skew, sum(bad_future) AS sum_future " +
            $"FROM (SELECT *, {DayNumber("t")} AS day_number FROM ({samples})) GROUP BY day_number, vin)";
    }

    private string DayNumber(string unixSeconds) =>
        $"toUInt32(intDiv({unixSeconds} + {Seconds(_options.UtcOffset)}, {SecondsPerDay}))";

    private static string VinFilter(string? vin) => vin is null ? "" : " AND vin = " + SqlLiteral.Quote(vin);

    /// <summary>1 when a Nullable column holds a number outside the range; a null (absent or sentinel) is not a failure.</summary>
    private static string Outside(string column, ValueRange range) =>
        $"(ifNull({column}, {Number(range.Min)}) < {Number(range.Min)} OR ifNull({column}, {Number(range.Min)}) > {Number(range.Max)})";

    private static long Seconds(TimeSpan value) => (long)value.TotalSeconds;

    private static string Number(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        // ClickHouse reads "1E-05" but 18.16 types a bare exponent literal oddly: write plain decimals.
        return text.Contains('E', StringComparison.Ordinal) ? value.ToString("0.############", CultureInfo.InvariantCulture) : text;
    }
}
