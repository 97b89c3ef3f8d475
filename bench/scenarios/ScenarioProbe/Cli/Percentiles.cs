namespace ScenarioProbe.Cli;

/// <summary>Nearest-rank percentiles of a small sample (hundreds to thousands of values), in the sample's unit.</summary>
public sealed record PercentileSummary(int Count, double P50, double P90, double P99, double Max, double Mean)
{
    public static PercentileSummary Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            return new PercentileSummary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }
        var sorted = values.Order().ToArray();
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new PercentileSummary(sorted.Length, Rank(50), Rank(90), Rank(99), sorted[^1], sorted.Average());
    }
}
