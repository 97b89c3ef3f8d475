using System.Diagnostics;
using System.Net;
using LoadGen.Checks;
using LoadGen.Fleet;
using LoadGen.Frames;
using LoadGen.Platform;
using ScenarioProbe.Cli;
using ScenarioProbe.Server;

namespace ScenarioProbe.Outage;

/// <summary>One look at the relay during the outage scenario; seconds from the fleet's start.</summary>
public sealed record RelaySample(double Seconds, long RelayLagBytes, long NextOffset, double FramesIngested, double FramesRelayed,
    double FramesReissued, double LinkLogins);

public sealed record OutageResult(
    string Mode,
    int Terminals,
    double OfferedFramesPerSecond,
    double InputFramesPerSecond,
    double InputBytesPerSecond,
    double OutageSeconds,
    double PlatformDownAtSeconds,
    double PlatformBackAtSeconds,
    double? ReloggedInAtSeconds,
    double? ReconnectSeconds,
    long PeakRelayLagBytes,
    double PeakRelayLagFrames,
    double? DrainedAtSeconds,
    double? DrainSeconds,
    double? DrainFramesRelayed,
    double? DrainFramesPerSecond,
    bool DrainedWhileFleetRunning,
    double FleetEndedAtSeconds,
    double FramesReissued,
    long FleetFramesAcknowledged,
    bool FleetClean,
    double? ServerUnreachableAtSeconds,
    StorageCheckResult PlatformCheck,
    StorageCheckResult? ClickHouseCheck,
    IReadOnlyList<RelaySample> Timeline);

/// <summary>
/// `outage`: the forwarder's superior platform goes away under load and comes back. The simulated platform runs in
/// this process so its record survives the outage (two records, summed per VIN). Mode <c>disconnect</c>: the platform
/// is up, the link logged in, then the platform closes (its sockets are reset) for the outage. Mode <c>from-start</c>:
/// the platform is not there when the load starts (the link keeps failing to connect) and appears after the outage.
/// When the server stops answering HTTP for 5 s the run says so and ends (the fleet runs its course). Reported: the relay backlog, how
/// long the link took to log in again, how long and how fast the backlog drained (relay lag back under one second of
/// input), how many realtime frames went out as reissue, and whether every acknowledged GB frame reached the platform.
/// </summary>
public static class OutageCommand
{
    public static async Task<int> RunAsync(Args args)
    {
        var target = args.Endpoint("target");
        var hjTarget = args.OptionalEndpoint("hj1239-target");
        var serverHttp = args.LoopbackUrl("http");
        // The server's Http:MetricsUrl: /metrics needs an admin key on the main address.
        var serverMetrics = args.Text("metrics") is not null ? args.LoopbackUrl("metrics") : serverHttp;
        var platformEndPoint = args.Endpoint("platform");
        string link = args.Text("link") ?? "nat";
        string mode = args.Text("mode") ?? "disconnect";
        if (mode is not ("disconnect" or "from-start"))
        {
            throw new ArgumentException("--mode is disconnect or from-start.");
        }
        bool fromStart = mode == "from-start";
        int terminals = args.Int("terminals", 1000);
        var interval = args.Duration("interval", TimeSpan.FromSeconds(1));
        var pre = args.Duration("pre", TimeSpan.FromSeconds(10));
        var outage = args.Duration("outage", TimeSpan.FromSeconds(20));
        var post = args.Duration("post", TimeSpan.FromSeconds(30));
        var drainTimeout = args.Duration("drain-timeout", TimeSpan.FromSeconds(120));
        var sample = args.Duration("sample", TimeSpan.FromMilliseconds(250));
        int seed = args.Int("seed", 5);
        Uri? clickHouse = args.Text("clickhouse") is not null ? args.LoopbackUrl("clickhouse") : null;
        string database = args.Text("database") ?? "telematics";
        args.ThrowIfUnused();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var server = new ServerWatch(http, serverHttp, serverMetrics);
        var platformOptions = new PlatformOptions { EndPoint = platformEndPoint };
        string consumer = "relay-" + link;
        string lagKey = consumer;

        PlatformServer? platform = null;
        if (!fromStart)
        {
            platform = PlatformServer.Start(platformOptions);
            await WaitForLoginsAsync(server, 1, TimeSpan.FromSeconds(30));
        }
        else
        {
            pre = TimeSpan.Zero;
        }

        var fleetOptions = new FleetOptions
        {
            Terminals = terminals,
            Target = target,
            ProtocolTargets = hjTarget is null ? new Dictionary<TerminalProtocol, IPEndPoint>() : new() { [TerminalProtocol.Hj1239] = hjTarget },
            RealtimeInterval = interval,
            RampUpPerSecond = Math.Max(1000, terminals / 2.0),
            Duration = pre + outage + post,
            Seed = seed,
        };
        var clock = Stopwatch.StartNew();
        var fleet = Task.Run(() => FleetRunner.RunAsync(fleetOptions));
        var timeline = new List<RelaySample>();
        using var stopSampling = new CancellationTokenSource();
        var health = new ServerHealth();
        var sampler = SampleAsync(server, lagKey, clock, sample, timeline, health, stopSampling.Token);

        var before = new PlatformRecord();
        double downAt = 0;
        if (platform is not null)
        {
            await DelayUntil(clock, pre);
            await platform.DisposeAsync();
            before = platform.Snapshot();
            downAt = clock.Elapsed.TotalSeconds;
            Console.Error.WriteLine($"outage: platform down at {downAt:0.0} s ({before.Frames:N0} frames received)");
        }

        await DelayUntil(clock, pre + outage);
        platform = PlatformServer.Start(platformOptions);
        double backAt = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"outage: platform back at {backAt:0.0} s");

        var report = await fleet;
        double fleetEnded = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"outage: fleet ended at {fleetEnded:0.0} s; waiting for the relay to catch up");
        var drainDeadline = clock.Elapsed + drainTimeout;
        while (clock.Elapsed < drainDeadline && health.UnreachableAt is null)
        {
            var last = Last(timeline);
            if (last is not null && last.Seconds > fleetEnded + 1 && last.RelayLagBytes == 0)
            {
                break;
            }
            await Task.Delay(sample);
        }
        await stopSampling.CancelAsync();
        await sampler;
        await platform.DisposeAsync();
        var after = platform.Snapshot();
        if (health.UnreachableAt is { } gone)
        {
            Console.Error.WriteLine($"outage: the server stopped answering HTTP at {gone:0.0} s");
        }

        var gbTerminals = report.Terminals.Where(t => t.Protocol is TerminalProtocol.Gb2016 or TerminalProtocol.Gb2025).ToList();
        var merged = Merge(before, after);
        var platformCheck = PlatformRecordCheck.Compare(merged, $"platform {platformEndPoint} (two records: before and after the outage)",
            gbTerminals, PlatformRecordCheck.DefaultRelayedCommands, clock.Elapsed - TimeSpan.FromSeconds(fleetEnded));
        StorageCheckResult? clickHouseCheck = null;
        if (clickHouse is not null && health.UnreachableAt is null)
        {
            using var chHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            clickHouseCheck = await ClickHouseCheck.RunAsync(chHttp, clickHouse, database, report.Terminals,
                [.. fleetOptions.AckedCommands], TimeSpan.FromSeconds(60));
        }

        var result = Analyse(mode, timeline, terminals, interval, pre, downAt, backAt, fleetEnded, report, health.UnreachableAt, platformCheck, clickHouseCheck);
        JsonOut.Write(result);
        return report.Clean && platformCheck.Passed && clickHouseCheck?.Passed != false && health.UnreachableAt is null ? 0 : 2;
    }

    private static OutageResult Analyse(string mode, List<RelaySample> timeline, int terminals, TimeSpan interval, TimeSpan pre, double downAt,
        double backAt, double fleetEnded, FleetReport report, double? unreachableAt, StorageCheckResult platformCheck, StorageCheckResult? clickHouseCheck)
    {
        // Input rate from a steady part: before the platform goes (disconnect), or during the outage (from start).
        double steadyFrom = pre > TimeSpan.Zero ? Math.Min(3, pre.TotalSeconds / 2) : 3;
        double steadyTo = pre > TimeSpan.Zero ? downAt : backAt;
        var steady = timeline.Where(s => s.Seconds >= steadyFrom && s.Seconds <= steadyTo).ToList();
        double inputFrames = 0, inputBytes = 0;
        if (steady.Count >= 2)
        {
            double dt = steady[^1].Seconds - steady[0].Seconds;
            inputFrames = (steady[^1].FramesIngested - steady[0].FramesIngested) / dt;
            inputBytes = (steady[^1].NextOffset - steady[0].NextOffset) / dt;
        }
        double bytesPerFrame = inputFrames > 0 ? inputBytes / inputFrames : double.NaN;
        long threshold = (long)Math.Max(inputBytes, 1);

        var atBack = timeline.LastOrDefault(s => s.Seconds <= backAt) ?? timeline[0];
        int reloginIndex = timeline.FindIndex(s => s.Seconds > backAt && s.LinkLogins > atBack.LinkLogins);
        var relogin = reloginIndex >= 0 ? timeline[reloginIndex] : null;
        // The drain starts at the last sample before the new login was seen (the relay begins right after the login):
        // frames and seconds are counted from there, so they cover the whole backlog (time is over by at most one sample).
        var drainStart = reloginIndex > 0 ? timeline[reloginIndex - 1] : null;
        RelaySample? drained = relogin is null ? null : timeline.FirstOrDefault(s => s.Seconds >= relogin.Seconds && s.RelayLagBytes <= threshold);
        long peak = timeline.Where(s => s.Seconds >= downAt).Select(s => s.RelayLagBytes).DefaultIfEmpty(0).Max();
        double? drainSeconds = drained is not null && drainStart is not null ? drained.Seconds - drainStart.Seconds : null;
        double? drainFrames = drained is not null && drainStart is not null ? drained.FramesRelayed - drainStart.FramesRelayed : null;

        return new OutageResult(
            mode,
            terminals,
            terminals / interval.TotalSeconds,
            inputFrames,
            inputBytes,
            backAt - downAt,
            downAt,
            backAt,
            relogin?.Seconds,
            relogin is not null ? relogin.Seconds - backAt : null,
            peak,
            peak / bytesPerFrame,
            drained?.Seconds,
            drainSeconds,
            drainFrames,
            drainSeconds is > 0 ? drainFrames / drainSeconds : null,
            drained is not null && drained.Seconds <= fleetEnded,
            fleetEnded,
            timeline.Count > 0 ? timeline[^1].FramesReissued - timeline[0].FramesReissued : 0,
            report.Counters.FramesAcknowledged,
            report.Clean,
            unreachableAt,
            platformCheck,
            clickHouseCheck,
            timeline);
    }

    /// <summary>Relay-relevant frames of two platform records added per VIN and command.</summary>
    private static PlatformRecord Merge(PlatformRecord a, PlatformRecord b)
    {
        var vins = new Dictionary<string, IReadOnlyDictionary<string, long>>(StringComparer.Ordinal);
        foreach (var vin in a.Vins.Keys.Union(b.Vins.Keys))
        {
            var perCommand = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var record in new[] { a, b })
            {
                if (record.Vins.TryGetValue(vin, out var counts))
                {
                    foreach (var (command, n) in counts)
                    {
                        perCommand[command] = perCommand.GetValueOrDefault(command) + n;
                    }
                }
            }
            vins[vin] = perCommand;
        }
        return b with { Frames = a.Frames + b.Frames, Connections = a.Connections + b.Connections, Vins = vins };
    }

    /// <summary>When the server stopped answering (5 s of failed requests in a row); null while it answers.</summary>
    private sealed class ServerHealth
    {
        public double? UnreachableAt { get; set; }
    }

    private static async Task SampleAsync(ServerWatch server, string lagKey, Stopwatch clock, TimeSpan every, List<RelaySample> timeline,
        ServerHealth health, CancellationToken cancellationToken)
    {
        double? failingSince = null;
        while (!cancellationToken.IsCancellationRequested && health.UnreachableAt is null)
        {
            try
            {
                var ready = await server.ReadyAsync(cancellationToken);
                var metrics = await server.MetricsAsync(cancellationToken);
                var sample = new RelaySample(clock.Elapsed.TotalSeconds, ready.ConsumerLagBytes.GetValueOrDefault(lagKey), ready.NextOffset,
                    Metric(metrics, "ingest_frames"), Metric(metrics, "forwarder_frames_relayed"), Metric(metrics, "forwarder_frames_reissued"),
                    Metric(metrics, "forwarder_link_logins"));
                lock (timeline)
                {
                    timeline.Add(sample);
                }
                failingSince = null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                double now = clock.Elapsed.TotalSeconds;
                failingSince ??= now;
                Console.Error.WriteLine($"outage: server did not answer at {now:0.0} s: {ex.Message}");
                if (now - failingSince >= 5)
                {
                    health.UnreachableAt = failingSince;
                    return;
                }
            }
            try
            {
                await Task.Delay(every, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>A counter by its OpenTelemetry name as Prometheus exports it (with or without the _total suffix).</summary>
    private static double Metric(Dictionary<string, double> metrics, string name) =>
        metrics.GetValueOrDefault(name + "_total", metrics.GetValueOrDefault(name));

    private static RelaySample? Last(List<RelaySample> timeline)
    {
        lock (timeline)
        {
            return timeline.Count > 0 ? timeline[^1] : null;
        }
    }

    private static async Task WaitForLoginsAsync(ServerWatch server, double logins, TimeSpan timeout)
    {
        var end = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            if (Metric(await server.MetricsAsync(CancellationToken.None), "forwarder_link_logins") >= logins)
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The server's forwarder link did not log in to the platform within {timeout.TotalSeconds:0} s.");
    }

    private static async Task DelayUntil(Stopwatch clock, TimeSpan at)
    {
        var wait = at - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
