using System.Text.Json.Serialization;
using Ingest.Registry;

namespace Ingest.Quality;

/// <summary>
/// One tenant and vehicle model's figures for a day, summed over its vehicles: the online rate over the filed
/// vehicles (a filed vehicle that sent nothing counts as offline), missing rate, dynamic-check pass rate, reissue
/// share and late frames, and the failures per rule.
/// </summary>
public sealed record QualityGroup
{
    [JsonPropertyName("tenant")] public string Tenant { get; init; } = "";

    /// <summary>The filed model; empty when none was filed.</summary>
    [JsonPropertyName("model")] public string Model { get; init; } = "";

    /// <summary>Vehicles of the group: filed ones, plus (tenant "") vehicles that reported without a filing.</summary>
    [JsonPropertyName("vehicles")] public long Vehicles { get; init; }

    [JsonPropertyName("online_vehicles")] public long OnlineVehicles { get; init; }

    [JsonPropertyName("online_rate")] public double OnlineRate => QualityRates.Share(OnlineVehicles, Vehicles);

    [JsonPropertyName("frames")] public long Frames { get; init; }

    [JsonPropertyName("realtime_frames")] public long RealtimeFrames { get; init; }

    [JsonPropertyName("reissue_frames")] public long ReissueFrames { get; init; }

    [JsonPropertyName("late_frames")] public long LateFrames { get; init; }

    [JsonPropertyName("samples")] public long Samples { get; init; }

    [JsonPropertyName("running_samples")] public long RunningSamples { get; init; }

    [JsonPropertyName("gaps")] public long Gaps { get; init; }

    [JsonPropertyName("missing_samples")] public long MissingSamples { get; init; }

    [JsonPropertyName("failed_samples")] public long FailedSamples { get; init; }

    [JsonPropertyName("missing_rate")] public double MissingRate => QualityRates.Missing(MissingSamples, RunningSamples);

    [JsonPropertyName("check_pass_rate")] public double CheckPassRate => QualityRates.CheckPass(FailedSamples, Samples);

    [JsonPropertyName("reissue_share")] public double ReissueShare => QualityRates.Reissue(ReissueFrames, RealtimeFrames);

    /// <summary>Failing samples per rule (a sample may fail several).</summary>
    [JsonPropertyName("failures")] public IReadOnlyDictionary<string, long> Failures { get; init; } = new Dictionary<string, long>();

    /// <summary>
    /// The visible vehicles of a day and their groups. <paramref name="tenant"/> null: every tenant and the vehicles
    /// that reported without a filing (admin); otherwise that tenant's filed vehicles only. Filed vehicles without a row
    /// are added as offline rows, so the vehicle list and the online rate cover the whole filed fleet.
    /// </summary>
    public static (IReadOnlyList<VehicleDayQuality> Vehicles, IReadOnlyList<QualityGroup> Groups) Build(
        DateOnly day, IReadOnlyList<VehicleDayQuality> rows, IVehicleRegistry registry, string? tenant)
    {
        var byVin = rows.Where(r => r.Day == day).ToDictionary(r => r.Vin, StringComparer.Ordinal);
        var vehicles = new List<(VehicleDayQuality Row, string Tenant, string Model)>();
        foreach (var filing in registry.List(tenant))
        {
            var row = byVin.Remove(filing.Vin, out var found) ? found : new VehicleDayQuality { Day = day, Vin = filing.Vin };
            vehicles.Add((row, filing.Tenant, filing.Model ?? ""));
        }
        if (tenant is null)
        {
            // Left over: vehicles that reported without a filing (or were removed from the registry since).
            vehicles.AddRange(byVin.Values.Select(r => (r, "", "")));
        }
        var groups = vehicles
            .GroupBy(v => (v.Tenant, v.Model))
            .OrderBy(g => g.Key.Tenant, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g => Sum(g.Key.Tenant, g.Key.Model, g.Select(v => v.Row).ToList()))
            .ToList();
        return (vehicles.Select(v => v.Row).OrderBy(r => r.Vin, StringComparer.Ordinal).ToList(), groups);
    }

    private static QualityGroup Sum(string tenant, string model, IReadOnlyList<VehicleDayQuality> rows) => new()
    {
        Tenant = tenant,
        Model = model,
        Vehicles = rows.Count,
        OnlineVehicles = rows.Count(r => r.Online),
        Frames = rows.Sum(r => r.Frames),
        RealtimeFrames = rows.Sum(r => r.RealtimeFrames),
        ReissueFrames = rows.Sum(r => r.ReissueFrames),
        LateFrames = rows.Sum(r => r.LateFrames),
        Samples = rows.Sum(r => r.Samples),
        RunningSamples = rows.Sum(r => r.RunningSamples),
        Gaps = rows.Sum(r => r.Gaps),
        MissingSamples = rows.Sum(r => r.MissingSamples),
        FailedSamples = rows.Sum(r => r.FailedSamples),
        Failures = new Dictionary<string, long>
        {
            ["range"] = rows.Sum(r => r.FailRange),
            ["soc"] = rows.Sum(r => r.FailSoc),
            ["cell_sum"] = rows.Sum(r => r.FailCellSum),
            ["odometer"] = rows.Sum(r => r.FailOdometer),
            ["position"] = rows.Sum(r => r.FailPosition),
            ["clock_skew"] = rows.Sum(r => r.FailClockSkew),
            ["future"] = rows.Sum(r => r.FailFuture),
        },
    };
}
