using System.Diagnostics;

namespace LoadGen.Measurement;

/// <summary>
/// The fleet's own CPU time (user + system, the whole process) per acknowledged frame, so that a run can show
/// whether the load generator or the target was the limit. The steady figure leaves out the ramp (connects,
/// logins, template building) and the logout at the end; null when the run was too short to have a steady window.
/// </summary>
public sealed record FleetCpu(
    double ProcessSeconds,
    double? RunMicrosecondsPerFrame,
    double? SteadyWindowSeconds,
    double? SteadyCpuSeconds,
    long? SteadyFrames,
    double? SteadyMicrosecondsPerFrame)
{
    /// <summary>CPU time this process has used so far (reads /proc/self/stat on Linux).</summary>
    public static double ProcessCpuSeconds() => Environment.CpuUsage.TotalTime.TotalSeconds;
}

/// <summary>Samples of (time, process CPU, frames acknowledged) taken by the run's monitor once per progress interval.</summary>
public sealed class FleetCpuSampler
{
    private readonly List<Sample> _samples = [];

    public void Take(long timestamp, long framesAcknowledged) =>
        _samples.Add(new Sample(timestamp, FleetCpu.ProcessCpuSeconds(), framesAcknowledged));

    /// <summary>
    /// The whole run, and the window between the first sample at or after <paramref name="steadyFrom"/> and the
    /// last at or before <paramref name="steadyTo"/> (<see cref="Stopwatch"/> timestamps).
    /// </summary>
    public FleetCpu Summarize(long steadyFrom, long steadyTo, long framesAcknowledged)
    {
        double total = FleetCpu.ProcessCpuSeconds();
        double? run = framesAcknowledged > 0 ? Math.Round(total * 1e6 / framesAcknowledged, 2) : null;
        var first = _samples.FirstOrDefault(s => s.Timestamp >= steadyFrom);
        var last = _samples.LastOrDefault(s => s.Timestamp <= steadyTo);
        if (first is null || last is null || last.Timestamp <= first.Timestamp || last.FramesAcknowledged <= first.FramesAcknowledged)
        {
            return new FleetCpu(Math.Round(total, 3), run, null, null, null, null);
        }
        double seconds = (last.Timestamp - first.Timestamp) / (double)Stopwatch.Frequency;
        double cpu = last.CpuSeconds - first.CpuSeconds;
        long frames = last.FramesAcknowledged - first.FramesAcknowledged;
        return new FleetCpu(Math.Round(total, 3), run, Math.Round(seconds, 2), Math.Round(cpu, 3), frames, Math.Round(cpu * 1e6 / frames, 2));
    }

    private sealed record Sample(long Timestamp, double CpuSeconds, long FramesAcknowledged);
}
