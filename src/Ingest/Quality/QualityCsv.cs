using System.Globalization;
using System.Text;

namespace Ingest.Quality;

/// <summary>The report as CSV (RFC 4180, comma, header row, invariant numbers): one row per vehicle, or per tenant and model.</summary>
public static class QualityCsv
{
    public static void WriteVehicles(TextWriter output, IReadOnlyList<VehicleDayQuality> rows, Func<string, (string Tenant, string Model)> filing)
    {
        output.Write("day,tenant,model,vin,protocol,online,");
        output.Write(string.Join(",", VehicleDayQuality.CountColumns));
        output.Write(",missing_rate,check_pass_rate,reissue_share\n");
        foreach (var r in rows)
        {
            var (tenant, model) = filing(r.Vin);
            Fields(output, r.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), tenant, model, r.Vin, r.Protocol, r.Online ? "1" : "0");
            Numbers(output, r.Frames, r.RealtimeFrames, r.ReissueFrames, r.LateFrames, r.Samples, r.RunningSamples, r.Gaps, r.MissingSamples,
                r.LongestGapSeconds, r.FailedSamples, r.FailRange, r.FailSoc, r.FailCellSum, r.FailOdometer, r.FailPosition, r.FailClockSkew, r.FailFuture);
            Rates(output, r.MissingRate, r.CheckPassRate, r.ReissueShare);
        }
    }

    public static void WriteGroups(TextWriter output, DateOnly day, IReadOnlyList<QualityGroup> groups)
    {
        output.Write("day,tenant,model,vehicles,online_vehicles,frames,realtime_frames,reissue_frames,late_frames,samples,running_samples,gaps," +
            "missing_samples,failed_samples,");
        output.Write(string.Join(",", VehicleDayQuality.Rules.Select(r => "fail_" + r)));
        output.Write(",online_rate,missing_rate,check_pass_rate,reissue_share\n");
        foreach (var g in groups)
        {
            Fields(output, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), g.Tenant, g.Model);
            Numbers(output, [g.Vehicles, g.OnlineVehicles, g.Frames, g.RealtimeFrames, g.ReissueFrames, g.LateFrames, g.Samples, g.RunningSamples,
                g.Gaps, g.MissingSamples, g.FailedSamples, .. VehicleDayQuality.Rules.Select(r => g.Failures[r])]);
            Rates(output, g.OnlineRate, g.MissingRate, g.CheckPassRate, g.ReissueShare);
        }
    }

    private static void Fields(TextWriter output, params ReadOnlySpan<string> fields)
    {
        foreach (var field in fields)
        {
            output.Write(Escape(field));
            output.Write(',');
        }
    }

    private static void Numbers(TextWriter output, params ReadOnlySpan<long> values)
    {
        foreach (var value in values)
        {
            output.Write(value.ToString(CultureInfo.InvariantCulture));
            output.Write(',');
        }
    }

    private static void Rates(TextWriter output, params ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            output.Write(values[i].ToString("0.######", CultureInfo.InvariantCulture));
            output.Write(i == values.Length - 1 ? '\n' : ',');
        }
    }

    private static string Escape(string field)
    {
        if (field.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return field;
        }
        return new StringBuilder(field.Length + 2).Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"').ToString();
    }
}
