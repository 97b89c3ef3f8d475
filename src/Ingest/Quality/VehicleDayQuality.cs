using System.Text.Json.Serialization;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.ClickHouse.Schema;

namespace Ingest.Quality;

/// <summary>
/// One vehicle's figures for one day (a row of <c>quality_daily</c>, or of the same query run live). Frame counts are by
/// receive time; sample figures by the samples' own time (a day's reissued data counts for the day it describes).
/// A sample is one distinct device time of the vehicle: split frames and resent copies of one time are one sample.
/// </summary>
public sealed record VehicleDayQuality
{
    [JsonPropertyName("day")] public DateOnly Day { get; init; }

    [JsonPropertyName("vin")] public string Vin { get; init; } = "";

    /// <summary><c>gb32960</c>, <c>hj1239</c> or <c>unknown</c> (only frames whose protocol was not recognised).</summary>
    [JsonPropertyName("protocol")] public string Protocol { get; init; } = "unknown";

    /// <summary>Online that day: at least one frame received.</summary>
    [JsonPropertyName("online")] public bool Online => Frames > 0;

    /// <summary>Frames received that day (every command).</summary>
    [JsonPropertyName("frames")] public long Frames { get; init; }

    /// <summary>Realtime report frames (0x02) received that day.</summary>
    [JsonPropertyName("realtime_frames")] public long RealtimeFrames { get; init; }

    /// <summary>Reissue frames (0x03) received that day.</summary>
    [JsonPropertyName("reissue_frames")] public long ReissueFrames { get; init; }

    /// <summary>Realtime frames received later than <c>Quality:LateAfter</c> after their own time.</summary>
    [JsonPropertyName("late_frames")] public long LateFrames { get; init; }

    /// <summary>Distinct sample times that day (GB/T 32960 frames; HJ 1239 data-stream items).</summary>
    [JsonPropertyName("samples")] public long Samples { get; init; }

    /// <summary>Samples taken while the vehicle ran (GB/T 32960 vehicle state 1; HJ 1239 engine speed above 0).</summary>
    [JsonPropertyName("running_samples")] public long RunningSamples { get; init; }

    /// <summary>Gaps between two running samples longer than the allowed interval.</summary>
    [JsonPropertyName("gaps")] public long Gaps { get; init; }

    /// <summary>Samples those gaps should have held (a gap of g seconds at interval i misses ceil(g / i) - 1).</summary>
    [JsonPropertyName("missing_samples")] public long MissingSamples { get; init; }

    /// <summary>Longest counted gap, seconds.</summary>
    [JsonPropertyName("longest_gap_s")] public long LongestGapSeconds { get; init; }

    /// <summary>Samples failing at least one dynamic check.</summary>
    [JsonPropertyName("failed_samples")] public long FailedSamples { get; init; }

    [JsonPropertyName("fail_range")] public long FailRange { get; init; }

    [JsonPropertyName("fail_soc")] public long FailSoc { get; init; }

    [JsonPropertyName("fail_cell_sum")] public long FailCellSum { get; init; }

    [JsonPropertyName("fail_odometer")] public long FailOdometer { get; init; }

    [JsonPropertyName("fail_position")] public long FailPosition { get; init; }

    [JsonPropertyName("fail_clock_skew")] public long FailClockSkew { get; init; }

    [JsonPropertyName("fail_future")] public long FailFuture { get; init; }

    /// <summary>missing / (running samples + missing); 0 without running samples.</summary>
    [JsonPropertyName("missing_rate")] public double MissingRate => QualityRates.Missing(MissingSamples, RunningSamples);

    /// <summary>Samples passing every dynamic check / samples; 1 without samples.</summary>
    [JsonPropertyName("check_pass_rate")] public double CheckPassRate => QualityRates.CheckPass(FailedSamples, Samples);

    /// <summary>Reissue frames / (realtime + reissue frames).</summary>
    [JsonPropertyName("reissue_share")] public double ReissueShare => QualityRates.Reissue(ReissueFrames, RealtimeFrames);

    /// <summary>The counters, in table (and query) order.</summary>
    public static IReadOnlyList<string> CountColumns { get; } =
    [
        "frames", "realtime_frames", "reissue_frames", "late_frames", "samples", "running_samples", "gaps", "missing_samples",
        "longest_gap_s", "failed_samples", "fail_range", "fail_soc", "fail_cell_sum", "fail_odometer", "fail_position",
        "fail_clock_skew", "fail_future",
    ];

    /// <summary>
    /// <c>quality_daily</c>: one row per (day, vin), computed again while late data may still arrive; the newest
    /// computation replaces the older (ReplacingMergeTree keyed on day and VIN, versioned by <c>computed_at</c> through
    /// insertion order, read with FINAL). Partitioned by month: a year of a 100,000-vehicle fleet is 36.5 M small rows.
    /// </summary>
    public static ClickHouseTable Table { get; } = new(
        "quality_daily",
        partitionBy: "toYYYYMM(day)",
        orderBy: "(day, vin)",
        shardingKey: "cityHash64(vin)",
        [
            new("day", "Date"),
            new("vin", "String"),
            new("protocol", EnumTypes.Protocol),
            new("computed_at", "DateTime"),
            .. CountColumns.Select(c => new ClickHouseColumn(c, "UInt32")),
        ]);

    /// <summary>The dynamic-check rules, as their columns name them without <c>fail_</c>.</summary>
    public static IReadOnlyList<string> Rules { get; } = ["range", "soc", "cell_sum", "odometer", "position", "clock_skew", "future"];
}

internal static class QualityRates
{
    public static double Share(long part, long whole) => whole <= 0 ? 0 : Math.Round((double)part / whole, 6);

    /// <summary>Missing samples over the samples a running vehicle should have sent (those it sent plus those it missed).</summary>
    public static double Missing(long missing, long running) => Share(missing, running + missing);

    /// <summary>One minus the share of samples that failed at least one dynamic check.</summary>
    public static double CheckPass(long failed, long samples) => 1 - Share(failed, samples);

    /// <summary>Reissued frames over the realtime and reissued ones.</summary>
    public static double Reissue(long reissue, long realtime) => Share(reissue, realtime + reissue);
}
