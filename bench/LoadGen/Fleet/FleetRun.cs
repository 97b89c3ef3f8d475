using System.Diagnostics;
using LoadGen.Measurement;
using LoadGen.Scheduling;

namespace LoadGen.Fleet;

/// <summary>
/// What every terminal of one run shares: options, counters, the latency recorder, the frame budget and the stop
/// signal. Stopping interrupts every timing wheel so that sleeping terminals wake at once and log out.
/// </summary>
internal sealed class FleetRun
{
    private readonly CancellationTokenSource _stop = new();
    private readonly IReadOnlyList<TimingWheel> _wheels;
    private long _framesRemaining;
    private int _stopping;
    private string? _stopReason;

    public FleetRun(FleetOptions options, IReadOnlyList<TimingWheel> wheels, long startTimestamp)
    {
        Options = options;
        _wheels = wheels;
        StartTimestamp = startTimestamp;
        DeadlineTimestamp = startTimestamp + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
        _framesRemaining = options.RealtimeFrameLimit ?? long.MaxValue;
    }

    public FleetOptions Options { get; }

    public FleetCounters Counters { get; } = new();

    /// <summary>Every acknowledged request.</summary>
    public LatencyRecorder Latency { get; } = new();

    /// <summary>Realtime and reissue frames only: what storage benchmarks compare, free of the login and logout bursts.</summary>
    public LatencyRecorder DataLatency { get; } = new();

    public long StartTimestamp { get; }

    public long DeadlineTimestamp { get; }

    public bool Stopping => Volatile.Read(ref _stopping) != 0;

    public string StopReason => _stopReason ?? "finished";

    /// <summary>Cancelled when the run stops; aborts connects in progress.</summary>
    public CancellationToken StopToken => _stop.Token;

    /// <summary>Takes one realtime frame from the fleet's budget; the last one stops the run.</summary>
    public bool TryTakeRealtimeFrame()
    {
        if (Options.RealtimeFrameLimit is null)
        {
            return true;
        }
        long left = Interlocked.Decrement(ref _framesRemaining);
        if (left == 0)
        {
            RequestStop("frame limit");
        }
        return left >= 0;
    }

    public void RequestStop(string reason)
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0)
        {
            return;
        }
        _stopReason = reason;
        _stop.Cancel();
        foreach (var wheel in _wheels)
        {
            wheel.InterruptAll();
        }
    }

    public static long ToTimestamps(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
