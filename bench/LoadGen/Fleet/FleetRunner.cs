using System.Diagnostics;
using System.Net;
using LoadGen.Frames;
using LoadGen.Measurement;
using LoadGen.Scheduling;
using LoadGen.Vehicles;

namespace LoadGen.Fleet;

/// <summary>
/// Runs a simulated fleet against a loopback target and reports what the terminals saw. The run ends by itself:
/// at the duration, at the frame limit, on cancellation, or when every terminal has finished; past
/// <see cref="FleetOptions.HardLimit"/> every socket is closed.
/// </summary>
public static class FleetRunner
{
    public static async Task<FleetReport> RunAsync(FleetOptions options, CancellationToken cancellationToken = default,
        IProgress<FleetProgress>? progress = null)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));
        }
        int seed = options.Seed ?? Random.Shared.Next();
        var vins = options.VinPrefix is { } prefix ? new VinGenerator(prefix) : VinGenerator.ForSeed(seed);
        var protocols = options.Protocols.Assign(options.Terminals, seed);
        var sources = options.EffectiveSourceAddresses();

        // One wheel (one scheduler loop) per core at least: each drives its terminals' sends inline, so the fleet
        // spreads over every core without a thread-pool hand-off per frame.
        var wheels = new TimingWheel[Math.Max(sources.Count, Environment.ProcessorCount)];
        for (int i = 0; i < wheels.Length; i++)
        {
            wheels[i] = new TimingWheel(options.SchedulerTick);
        }
        var startedAt = DateTimeOffset.UtcNow;
        long start = Stopwatch.GetTimestamp();
        var run = new FleetRun(options, wheels, start);
        var cpu = new FleetCpuSampler();
        long rampStep = (long)(Stopwatch.Frequency / options.RampUpPerSecond);
        var terminals = new SimulatedTerminal[options.Terminals];
        for (int i = 0; i < terminals.Length; i++)
        {
            terminals[i] = new SimulatedTerminal(i, vins.Create(i), protocols[i], run, sources[i % sources.Count], wheels[i % wheels.Length],
                start + i * rampStep, HashCode.Combine(seed, i));
        }

        try
        {
            await using var cancel = cancellationToken.Register(() => run.RequestStop("cancelled"));
            var all = Task.WhenAll(terminals.Select(t => Task.Run(t.RunAsync)));
            await MonitorAsync(run, all, terminals, progress, cpu);
            if (all.IsCompleted)
            {
                await all;
            }
        }
        finally
        {
            foreach (var wheel in wheels)
            {
                await wheel.DisposeAsync();
            }
        }

        var counters = run.Counters.Snapshot();
        var results = terminals.Select(t => t.Result()).ToList();
        return new FleetReport
        {
            StartedAt = startedAt,
            Elapsed = Stopwatch.GetElapsedTime(start),
            StopReason = run.StopReason,
            Seed = seed,
            VinPrefix = vins.Prefix,
            TerminalsByProtocol = FleetReport.CountProtocols(protocols),
            SourceAddresses = [.. sources.Select(a => a.ToString())],
            Targets = [.. protocols.Distinct().Order().Select(p => $"{p.Name()} {options.TargetFor(p)}")],
            Counters = counters,
            FramesExpectingAck = results.Sum(r => r.SentByCommand.Where(kv => options.ExpectsAck(r.Protocol, kv.Key)).Sum(kv => (long)kv.Value)),
            Latency = run.Latency.Total(),
            DataLatency = run.DataLatency.Total(),
            Cpu = cpu.Summarize(SteadyFrom(options, start), run.DeadlineTimestamp + FleetRun.ToTimestamps(options.ProgressInterval), counters.FramesAcknowledged),
            Terminals = results,
        };
    }

    /// <summary>The steady window starts one second after the last terminal was due to start.</summary>
    private static long SteadyFrom(FleetOptions options, long start) =>
        start + FleetRun.ToTimestamps(TimeSpan.FromSeconds(options.Terminals / options.RampUpPerSecond + 1));

    /// <summary>
    /// Reports progress, samples the fleet's own CPU, stops the run at its deadline, and closes every socket past the
    /// hard limit.
    /// </summary>
    private static async Task MonitorAsync(FleetRun run, Task all, SimulatedTerminal[] terminals, IProgress<FleetProgress>? progress, FleetCpuSampler cpu)
    {
        var options = run.Options;
        long hardLimit = run.StartTimestamp + FleetRun.ToTimestamps(options.HardLimit);
        long lastTimestamp = run.StartTimestamp;
        var last = run.Counters.Snapshot();
        bool aborted = false;
        long giveUp = hardLimit + FleetRun.ToTimestamps(TimeSpan.FromSeconds(5));
        while (!all.IsCompleted && Stopwatch.GetTimestamp() < giveUp)
        {
            await Task.WhenAny(all, Task.Delay(options.ProgressInterval));
            long now = Stopwatch.GetTimestamp();
            // Before the deadline check, so that the sample taken at the deadline closes the steady window.
            cpu.Take(now, run.Counters.FramesAcknowledged);
            if (now >= run.DeadlineTimestamp)
            {
                run.RequestStop("duration");
            }
            if (now >= hardLimit && !aborted)
            {
                aborted = true;
                run.RequestStop("hard limit");
                foreach (var terminal in terminals)
                {
                    terminal.Abort();
                }
            }
            if (progress is not null)
            {
                var snapshot = run.Counters.Snapshot();
                double seconds = Math.Max(1e-9, (now - lastTimestamp) / (double)Stopwatch.Frequency);
                progress.Report(new FleetProgress(
                    Stopwatch.GetElapsedTime(run.StartTimestamp, now),
                    snapshot,
                    (snapshot.FramesSent - last.FramesSent) / seconds,
                    (snapshot.FramesAcknowledged - last.FramesAcknowledged) / seconds,
                    run.Latency.TakeInterval()));
                last = snapshot;
                lastTimestamp = now;
            }
        }
    }

    /// <summary>Addresses given on the command line as "127.0.0.2-127.0.0.9" or "127.0.0.2,127.0.0.3".</summary>
    public static bool TryParseSourceAddresses(string text, out List<IPAddress> addresses, out string error)
    {
        addresses = [];
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', 2, StringSplitOptions.TrimEntries);
            if (!Safety.LoopbackGuard.TryParseAddress(range[0], out var first, out error))
            {
                return false;
            }
            if (range.Length == 1)
            {
                addresses.Add(first);
                continue;
            }
            if (!Safety.LoopbackGuard.TryParseAddress(range[1], out var last, out error))
            {
                return false;
            }
            var a = first.GetAddressBytes();
            var b = last.GetAddressBytes();
            if (a.Length != 4 || b.Length != 4)
            {
                error = $"'{part}': address ranges are IPv4 only.";
                return false;
            }
            uint from = (uint)(a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3]);
            uint to = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
            if (to < from || to - from >= 4096)
            {
                error = $"'{part}': a range runs upwards and spans at most 4096 addresses.";
                return false;
            }
            for (uint v = from; v <= to; v++)
            {
                addresses.Add(new IPAddress(new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }));
            }
        }
        if (addresses.Count == 0)
        {
            error = $"'{text}' names no address.";
            return false;
        }
        error = "";
        return true;
    }
}
