using System.Diagnostics;
using HdrHistogram;

namespace LoadGen.Measurement;

/// <summary>Acknowledgement latency percentiles, in milliseconds.</summary>
public readonly record struct LatencySummary(long Count, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs, double MeanMs)
{
    public static LatencySummary Empty => default;
}

/// <summary>
/// Records request-to-reply latencies into an HDR histogram (microsecond resolution, three significant digits)
/// from any thread without locks, and hands out interval snapshots for live progress plus the cumulative
/// distribution for the final report.
/// </summary>
public sealed class LatencyRecorder
{
    /// <summary>Latencies above this are clamped (and still counted): one minute, in microseconds.</summary>
    public const long HighestTrackableMicroseconds = 60_000_000;

    private readonly Recorder _recorder;
    private readonly HistogramBase _total;
    private readonly Lock _gate = new();
    private HistogramBase? _interval;

    public LatencyRecorder()
    {
        _recorder = HistogramFactory.With64BitBucketSize()
            .WithValuesFrom(1)
            .WithValuesUpTo(HighestTrackableMicroseconds)
            .WithPrecisionOf(3)
            .WithThreadSafeWrites()
            .WithThreadSafeReads()
            .Create();
        _total = HistogramFactory.With64BitBucketSize()
            .WithValuesFrom(1)
            .WithValuesUpTo(HighestTrackableMicroseconds)
            .WithPrecisionOf(3)
            .Create();
    }

    /// <summary>Records the time between two <see cref="Stopwatch.GetTimestamp"/> readings.</summary>
    public void RecordElapsed(long startTimestamp, long endTimestamp) =>
        RecordMicroseconds((endTimestamp - startTimestamp) * 1_000_000 / Stopwatch.Frequency);

    public void RecordMicroseconds(long microseconds) =>
        _recorder.RecordValue(Math.Clamp(microseconds, 1, HighestTrackableMicroseconds));

    /// <summary>The values recorded since the previous call (or since the start); they also join the total.</summary>
    public LatencySummary TakeInterval()
    {
        lock (_gate)
        {
            _interval = _recorder.GetIntervalHistogram(_interval);
            _total.Add(_interval);
            return Summarize(_interval);
        }
    }

    /// <summary>Everything recorded so far.</summary>
    public LatencySummary Total()
    {
        lock (_gate)
        {
            _interval = _recorder.GetIntervalHistogram(_interval);
            _total.Add(_interval);
            return Summarize(_total);
        }
    }

    private static LatencySummary Summarize(HistogramBase h)
    {
        if (h.TotalCount == 0)
        {
            return LatencySummary.Empty;
        }
        static double Ms(long us) => us / 1000.0;
        return new LatencySummary(
            h.TotalCount,
            Ms(h.GetValueAtPercentile(50)),
            Ms(h.GetValueAtPercentile(90)),
            Ms(h.GetValueAtPercentile(99)),
            Ms(h.GetValueAtPercentile(99.9)),
            Ms(h.GetMaxValue()),
            h.GetMean() / 1000.0);
    }
}
