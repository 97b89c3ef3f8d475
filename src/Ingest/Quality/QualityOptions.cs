using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Ingest.Quality;

/// <summary>
/// The data-quality report's rules and thresholds (section <c>Quality</c>). Each threshold names its source: a clause of
/// GB/T 32960.3-2016 or HJ 1239 / GB 17691 Annex Q as the protocol digest (<c>/work/shared/protocols</c>) gives it, a
/// J1939 range, or "ours" where the regulator's formula is not public (the national platform publishes the figures,
/// not how it computes them) and the value is this product's documented choice.
/// </summary>
public sealed class QualityOptions
{
    public const string SectionName = "Quality";

    /// <summary>
    /// Offset of the report's days from UTC. Default +08:00: both standards stamp frames in Beijing time (GB/T 32960.3
    /// time fields are GMT+8, digest §1.1; HJ 1239.2 uses the same time field), and the regulator's daily figures follow Beijing days.
    /// </summary>
    [Range(typeof(TimeSpan), "-14:00:00", "14:00:00")]
    public TimeSpan UtcOffset { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// A gap between two running samples longer than this is taken as the vehicle having been switched off without
    /// saying so (terminal power cut) and is not counted as missing data. Zero counts every gap. Default 1 h (ours).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxCountedGap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A realtime frame (0x02) received more than this after its own time counts as late data. Default 60 s (ours:
    /// twice the GB/T 32960 reporting period, so a frame that waited one period in a terminal buffer is still on time).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LateAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Dynamic check "clock_skew": a realtime sample whose device time is further than this from its receive time
    /// (either way). Reissued samples are old by design and not checked. Default 10 min (ours).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Dynamic check "future": a sample (realtime or reissued) stamped more than this after it was received.
    /// Default 60 s (ours: a GNSS-synchronised terminal clock is within seconds).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan FutureTolerance { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Dynamic check "odometer": a sample whose odometer is lower than the previous sample's by more than this (km).
    /// Default 0: any decrease (the odometer is a cumulative total, GB/T 32960.3 table 9 / J1939 SPN 917).
    /// </summary>
    [Range(0, 1000)]
    public double OdometerBackwardToleranceKm { get; set; }

    /// <summary>Dynamic check "position": a valid fix inside this box. Default: mainland China's extreme points.</summary>
    [ValidateObjectMembers]
    public GeoBox China { get; set; } = new();

    /// <summary>GB/T 32960 intervals and value ranges.</summary>
    [ValidateObjectMembers]
    public Gb32960QualityRules Gb32960 { get; set; } = new();

    /// <summary>HJ 1239 / GB 17691 Annex Q intervals and value ranges.</summary>
    [ValidateObjectMembers]
    public Hj1239QualityRules Hj1239 { get; set; } = new();

    /// <summary>Whether this node fills <c>quality_daily</c> every day (needs ClickHouse). Default true.</summary>
    public bool ScheduleEnabled { get; set; } = true;

    /// <summary>
    /// Local time of day (in <see cref="UtcOffset"/>) at which the closed days are computed. Default 02:00, when
    /// terminals have had two hours after midnight to send what they buffered.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "23:59:59")]
    public TimeSpan DailyRunAt { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// Closed days computed again at every daily run (yesterday and the days before it), so reissued data that
    /// arrives late is counted. Default 3 (ours; terminals keep 7 days, GB/T 32960.3 per digest §1.6, but nearly
    /// all reissue arrives within hours of reconnecting, and every day costs a scan of its samples).
    /// </summary>
    [Range(1, 31)]
    public int RecomputeDays { get; set; } = 3;

    /// <summary>How long a day computed live (today, or a day the schedule has not stored) is served from memory. Default 5 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan LiveCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest <c>from</c>..<c>to</c> range of a vehicle's report, in days. Default 93.</summary>
    [Range(1, 3660)]
    public int MaxRangeDays { get; set; } = 93;
}

/// <summary>A closed range of a value; a value outside it fails the "range" check.</summary>
public sealed class ValueRange
{
    public ValueRange()
    {
    }

    public ValueRange(double min, double max)
    {
        Min = min;
        Max = max;
    }

    public double Min { get; set; }

    public double Max { get; set; }
}

/// <summary>A longitude/latitude box in degrees (east and north positive).</summary>
public sealed class GeoBox
{
    /// <summary>Default 73.5: the Pamirs, 73°33′ E.</summary>
    [Range(-180, 180)]
    public double MinLongitude { get; set; } = 73.5;

    /// <summary>Default 135.1: the Heilongjiang/Ussuri confluence, 135°05′ E.</summary>
    [Range(-180, 180)]
    public double MaxLongitude { get; set; } = 135.1;

    /// <summary>Default 3.8: Zengmu Ansha, about 3°52′ N.</summary>
    [Range(-90, 90)]
    public double MinLatitude { get; set; } = 3.8;

    /// <summary>Default 53.6: Mohe, 53°33′ N.</summary>
    [Range(-90, 90)]
    public double MaxLatitude { get; set; } = 53.6;
}

/// <summary>
/// GB/T 32960.3-2016 rules. Ranges are the "valid range" of each field in the 2016 text as the protocol digest §1.5
/// gives it ([C] there unless noted); values the terminal marks abnormal/invalid (0xFE/0xFF sentinels) are stored as
/// null and are not range failures.
/// </summary>
public sealed class Gb32960QualityRules
{
    /// <summary>Realtime data at least this often while the vehicle runs: GB/T 32960.3 reporting period, 30 s at most (regulations.md).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>While a level-3 alarm lasts: GB/T 32960.3, every 1 s (regulations.md; digest §1.6).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AlarmReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whole-vehicle speed, km/h: 0-220 (table 9, raw 0-2200 at 0.1 km/h).</summary>
    public ValueRange SpeedKmh { get; set; } = new(0, 220);

    /// <summary>Odometer, km: 0-999,999.9 (table 9, raw 0-9,999,999 at 0.1 km).</summary>
    public ValueRange OdometerKm { get; set; } = new(0, 999_999.9);

    /// <summary>Total voltage, V: 0-1000 (table 9, raw 0-10000 at 0.1 V).</summary>
    public ValueRange TotalVoltageV { get; set; } = new(0, 1000);

    /// <summary>Total current, A: -1000 to +1000 (table 9, raw 0-20000 at 0.1 A, offset -1000 A).</summary>
    public ValueRange TotalCurrentA { get; set; } = new(-1000, 1000);

    /// <summary>Insulation resistance, kΩ: 0-60000 (table 9).</summary>
    public ValueRange InsulationKohm { get; set; } = new(0, 60_000);

    /// <summary>Cell voltage (0x08 and the 0x06 extremes), V: 0-60 (raw 0-60000 at 0.001 V; [R] in the digest).</summary>
    public ValueRange CellVoltageV { get; set; } = new(0, 60);

    /// <summary>Probe temperature (0x09 and the 0x06 extremes), °C: -40 to 210 (raw 0-250, offset -40).</summary>
    public ValueRange ProbeTemperatureC { get; set; } = new(-40, 210);

    /// <summary>Dynamic check "soc": state of charge, %: 0-100 (table 9).</summary>
    public ValueRange SocPercent { get; set; } = new(0, 100);

    /// <summary>
    /// Dynamic check "cell_sum": the total voltage and the sum of the frame's cell voltages differ by more than this
    /// share of the total voltage, in percent. Default 5 (ours; the standard sets no tolerance). Checked only on samples
    /// whose cell list has no abnormal/invalid cell.
    /// </summary>
    [Range(0, 100)]
    public double CellSumTolerancePercent { get; set; } = 5;
}

/// <summary>
/// HJ 1239.2 / GB 17691-2018 Annex Q rules. The data-stream fields use SAE J1939 scalings (digest §3.5); their
/// ranges are J1939's operational ranges (the highest value below the J1939 error/not-available codes).
/// </summary>
public sealed class Hj1239QualityRules
{
    /// <summary>Data-stream items at least this often while the engine runs: 1 Hz (HJ 1239.2 / Annex Q; digest §3.4: ten 1 s items per frame).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Vehicle speed, km/h: 0-250.996 (J1939 SPN 84, 1/256 km/h).</summary>
    public ValueRange SpeedKmh { get; set; } = new(0, 250.996);

    /// <summary>Engine speed, rpm: 0-8031.875 (J1939 SPN 190, 0.125 rpm).</summary>
    public ValueRange EngineRpm { get; set; } = new(0, 8031.875);

    /// <summary>Coolant temperature, °C: -40 to 210 (J1939 SPN 110).</summary>
    public ValueRange CoolantC { get; set; } = new(-40, 210);

    /// <summary>Reagent (urea) tank level, %: 0-100 (J1939 SPN 1761, 0.4 %).</summary>
    public ValueRange UreaLevelPercent { get; set; } = new(0, 100);

    /// <summary>Fuel tank level, %: 0-100 (J1939 SPN 96, 0.4 %).</summary>
    public ValueRange FuelLevelPercent { get; set; } = new(0, 100);

    /// <summary>SCR NOx, ppm: -200 to 3012.75 (J1939 SPN 3216, 0.05 ppm, offset -200).</summary>
    public ValueRange NoxPpm { get; set; } = new(-200, 3012.75);
}

[OptionsValidator]
public sealed partial class QualityOptionsValidator : IValidateOptions<QualityOptions>
{
}

/// <summary>Checks across properties: every range ordered, intervals in whole seconds, the box not empty.</summary>
public sealed class QualityOptionsRulesValidator : IValidateOptions<QualityOptions>
{
    public ValidateOptionsResult Validate(string? name, QualityOptions options)
    {
        var problems = new List<string>();
        var gb = options.Gb32960;
        var hj = options.Hj1239;
        foreach (var (key, range) in new (string, ValueRange?)[]
        {
            ("Gb32960:SpeedKmh", gb.SpeedKmh), ("Gb32960:OdometerKm", gb.OdometerKm), ("Gb32960:TotalVoltageV", gb.TotalVoltageV),
            ("Gb32960:TotalCurrentA", gb.TotalCurrentA), ("Gb32960:InsulationKohm", gb.InsulationKohm), ("Gb32960:CellVoltageV", gb.CellVoltageV),
            ("Gb32960:ProbeTemperatureC", gb.ProbeTemperatureC), ("Gb32960:SocPercent", gb.SocPercent),
            ("Hj1239:SpeedKmh", hj.SpeedKmh), ("Hj1239:EngineRpm", hj.EngineRpm), ("Hj1239:CoolantC", hj.CoolantC),
            ("Hj1239:UreaLevelPercent", hj.UreaLevelPercent), ("Hj1239:FuelLevelPercent", hj.FuelLevelPercent), ("Hj1239:NoxPpm", hj.NoxPpm),
        })
        {
            if (range is null)
            {
                problems.Add($"{QualityOptions.SectionName}:{key} is missing.");
            }
            else if (!double.IsFinite(range.Min) || !double.IsFinite(range.Max) || range.Min > range.Max)
            {
                problems.Add($"{QualityOptions.SectionName}:{key}: Min ({range.Min}) must be a number not above Max ({range.Max}).");
            }
        }
        foreach (var (key, interval) in new[]
        {
            ("UtcOffset", options.UtcOffset), ("MaxCountedGap", options.MaxCountedGap), ("LateAfter", options.LateAfter),
            ("MaxClockSkew", options.MaxClockSkew), ("FutureTolerance", options.FutureTolerance), ("DailyRunAt", options.DailyRunAt),
            ("Gb32960:ReportInterval", gb.ReportInterval), ("Gb32960:AlarmReportInterval", gb.AlarmReportInterval),
            ("Hj1239:SampleInterval", hj.SampleInterval),
        })
        {
            if (interval.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                problems.Add($"{QualityOptions.SectionName}:{key} ({interval}) must be whole seconds: frame times have a resolution of one second.");
            }
        }
        if (options.MaxCountedGap > TimeSpan.Zero && options.MaxCountedGap < gb.ReportInterval)
        {
            problems.Add($"{QualityOptions.SectionName}:MaxCountedGap ({options.MaxCountedGap}) must be zero (no cap) or at least Gb32960:ReportInterval ({gb.ReportInterval}).");
        }
        var box = options.China;
        if (box is null || box.MinLongitude >= box.MaxLongitude || box.MinLatitude >= box.MaxLatitude)
        {
            problems.Add($"{QualityOptions.SectionName}:China: MinLongitude/MinLatitude must be below MaxLongitude/MaxLatitude.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
