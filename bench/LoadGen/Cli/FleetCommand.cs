using System.CommandLine;
using System.Net;
using System.Text.Json;
using LoadGen.Checks;
using LoadGen.Fleet;
using LoadGen.Frames;
using LoadGen.Platform;

namespace LoadGen.Cli;

/// <summary>What `fleet --json` prints: the run, the checks, and one overall verdict.</summary>
public sealed record FleetOutput(bool Passed, FleetReport Report, StorageCheckResult? ClickHouse, StorageCheckResult? Platform)
{
    public string ToJson() => JsonSerializer.Serialize(this, LoadGenJson.Default.FleetOutput);
}

/// <summary>`loadgen fleet`: simulate a fleet against a loopback target, then optionally check storage and relay.</summary>
internal static class FleetCommand
{
    public static Command Create()
    {
        var defaults = new FleetOptions();
        var target = OptionParsers.Create("--target", "Terminal port of the server, HOST:PORT (loopback only).", defaults.Target, OptionParsers.TryParseEndpoint, "-t");
        var protocolTargets = TerminalProtocols.All.ToDictionary(p => p, p => OptionParsers.Create<IPEndPoint?>(
            $"--{p.Name()}-target", $"Port for {p.Name()} terminals when the server has one port per protocol (default --target; hj1239 terminals aimed at port 32960 go to 12390 on that host, as a default server listens).", null, OptionParsers.TryParseOptionalEndpoint));
        var terminals = new Option<int>("--terminals", "-n") { Description = "Simulated terminals, one connection each.", DefaultValueFactory = _ => defaults.Terminals };
        var protocols = OptionParsers.Create("--protocols", "Protocol mix as weights: gb2016=60,gb2025=20,hj1239=20 (also gb17691, Annex Q, never answered).",
            defaults.Protocols, ProtocolMix.TryParse);
        var interval = OptionParsers.Create("--interval", "Realtime (0x02) period per terminal.", defaults.RealtimeInterval, OptionParsers.TryParseDuration);
        var heartbeat = OptionParsers.Create("--heartbeat", "GB terminals idle this long send a heartbeat; 0 disables.", defaults.HeartbeatInterval, OptionParsers.TryParseDuration);
        var infoMixes = TerminalProtocols.All.ToDictionary(p => p, p => OptionParsers.Create<InfoMix?>(
            $"--{p.Name()}-info", $"Info types in each {p.Name()} realtime frame, hex, xN repeats (default {InfoMix.DefaultFor(p)}).", null, OptionParsers.TryParseInfoMix));
        var cells = new Option<int>("--cells") { Description = "Battery cells per vehicle (pack size) in the cell-voltage item.", DefaultValueFactory = _ => defaults.Shape.CellCount };
        var probes = new Option<int>("--probes") { Description = "Temperature probes per vehicle.", DefaultValueFactory = _ => defaults.Shape.ProbeCount };
        var motors = new Option<int>("--motors") { Description = "Drive motors per vehicle.", DefaultValueFactory = _ => defaults.Shape.MotorCount };
        var unsigned = new Option<bool>("--unsigned") { Description = "No signature after GB-2025 and HJ 1239 items." };
        var ramp = new Option<double>("--ramp") { Description = "Terminals started per second.", DefaultValueFactory = _ => defaults.RampUpPerSecond };
        var duration = OptionParsers.Create("--duration", "How long the run lasts, ramp-up included; then every terminal logs out.", defaults.Duration, OptionParsers.TryParseDuration, "-d");
        var frames = new Option<long?>("--frames") { Description = "Stop after this many realtime frames fleet-wide (the duration still bounds the run)." };
        var sources = OptionParsers.Create<List<IPAddress>>("--sources", "Source addresses to bind, e.g. 127.0.0.2-127.0.0.9 (default: 127.0.0.2 on, one per 20,000 terminals).",
            [], FleetRunner.TryParseSourceAddresses);
        var gapEvery = OptionParsers.Create<TimeSpan>("--gap-every", "Mean time between coverage gaps per terminal; 0 disables.", TimeSpan.Zero, OptionParsers.TryParseDuration);
        var gapDuration = OptionParsers.Create("--gap-duration", "Length of a coverage gap; the missed data is reissued after reconnecting.", defaults.GapDuration, OptionParsers.TryParseDuration);
        var maxReissue = new Option<int>("--max-reissue") { Description = "Most reissue frames per gap.", DefaultValueFactory = _ => defaults.MaxReissuePerGap };
        var acked = OptionParsers.Create("--acked", "Commands the target answers (names or hex).", defaults.AckedCommands, OptionParsers.TryParseCommands);
        var inFlight = new Option<int>("--max-in-flight") { Description = "Unanswered requests per connection before the terminal waits.", DefaultValueFactory = _ => defaults.MaxInFlightPerConnection };
        var ackTimeout = OptionParsers.Create("--ack-timeout", "A request unanswered this long drops the link.", defaults.AckTimeout, OptionParsers.TryParseDuration);
        var connectTimeout = OptionParsers.Create("--connect-timeout", "Connect timeout.", defaults.ConnectTimeout, OptionParsers.TryParseDuration);
        var drainTimeout = OptionParsers.Create("--drain-timeout", "How long terminals wait for outstanding replies at the end.", defaults.DrainTimeout, OptionParsers.TryParseDuration);
        var reconnects = new Option<int>("--max-reconnects") { Description = "Reconnects after failures before a terminal gives up.", DefaultValueFactory = _ => defaults.MaxReconnects };
        var noLogout = new Option<bool>("--no-logout") { Description = "End without a logout frame." };
        var tick = OptionParsers.Create("--tick", "Scheduler resolution.", defaults.SchedulerTick, OptionParsers.TryParseDuration);
        var seed = new Option<int?>("--seed") { Description = "Seed for VINs, protocol assignment and values (default: random, printed)." };
        var vinPrefix = new Option<string?>("--vin-prefix") { Description = "VIN positions 1-11 (position 9 is replaced by the check digit)." };
        var clickHouse = new Option<string?>("--check-clickhouse") { Description = "After the run, compare rows per VIN in <db>.frames_raw at this loopback HTTP URL with frames acknowledged." };
        var database = new Option<string>("--clickhouse-database") { Description = "Database of frames_raw.", DefaultValueFactory = _ => "telematics" };
        var stored = OptionParsers.Create<IReadOnlySet<byte>?>("--stored-commands", "Acknowledged commands expected in frames_raw (default: all acknowledged).", null,
            (string t, out IReadOnlySet<byte>? v, out string e) => { bool ok = OptionParsers.TryParseCommands(t, out var s, out e); v = s; return ok; });
        var record = new Option<string?>("--check-platform-record") { Description = "After the run, compare this platform record file with frames acknowledged." };
        var relayed = OptionParsers.Create("--relayed-commands", "Commands the relay forwards to the platform.",
            (IReadOnlySet<byte>)PlatformRecordCheck.DefaultRelayedCommands.ToHashSet(), OptionParsers.TryParseCommands);
        var relayedProtocols = OptionParsers.Create<IReadOnlySet<TerminalProtocol>>("--relayed-protocols",
            "Terminals whose frames the relay forwards to this platform (a GB/T 32960 link carries GB frames).",
            new HashSet<TerminalProtocol> { TerminalProtocol.Gb2016, TerminalProtocol.Gb2025 }, OptionParsers.TryParseProtocols);
        var checkWait = OptionParsers.Create("--check-wait", "How long the checks wait for storage and relay to catch up.", TimeSpan.FromSeconds(30), OptionParsers.TryParseDuration);
        var json = new Option<bool>("--json") { Description = "Print the report as JSON on stdout (progress goes to stderr)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress lines." };

        var command = new Command("fleet", "Simulate a fleet of terminals over real loopback sockets and report what they saw.");
        foreach (Option option in new Option[] { target, terminals, protocols, interval, heartbeat, cells, probes, motors, unsigned, ramp, duration, frames,
            sources, gapEvery, gapDuration, maxReissue, acked, inFlight, ackTimeout, connectTimeout, drainTimeout, reconnects, noLogout, tick, seed,
            vinPrefix, clickHouse, database, stored, record, relayed, relayedProtocols, checkWait, json, quiet })
        {
            command.Options.Add(option);
        }
        foreach (var option in protocolTargets.Values)
        {
            command.Options.Add(option);
        }
        foreach (var option in infoMixes.Values)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            InlineSocketCompletions();
            var options = new FleetOptions
            {
                Terminals = parse.GetValue(terminals),
                Target = parse.GetValue(target)!,
                ProtocolTargets = ServerDefaultTargets.Complete(parse.GetValue(target)!,
                    protocolTargets.Where(kv => parse.GetValue(kv.Value) is not null).ToDictionary(kv => kv.Key, kv => parse.GetValue(kv.Value)!)),
                Protocols = parse.GetValue(protocols)!,
                Shape = new FrameShape
                {
                    CellCount = parse.GetValue(cells),
                    ProbeCount = parse.GetValue(probes),
                    MotorCount = parse.GetValue(motors),
                    Signed = !parse.GetValue(unsigned),
                },
                InfoMixes = infoMixes.Where(kv => parse.GetValue(kv.Value) is not null).ToDictionary(kv => kv.Key, kv => parse.GetValue(kv.Value)!),
                RealtimeInterval = parse.GetValue(interval),
                HeartbeatInterval = parse.GetValue(heartbeat),
                RampUpPerSecond = parse.GetValue(ramp),
                Duration = parse.GetValue(duration),
                RealtimeFrameLimit = parse.GetValue(frames),
                SourceAddresses = parse.GetValue(sources)!,
                GapEvery = parse.GetValue(gapEvery) is var every && every > TimeSpan.Zero ? every : null,
                GapDuration = parse.GetValue(gapDuration),
                MaxReissuePerGap = parse.GetValue(maxReissue),
                AckedCommands = parse.GetValue(acked)!,
                MaxInFlightPerConnection = parse.GetValue(inFlight),
                AckTimeout = parse.GetValue(ackTimeout),
                ConnectTimeout = parse.GetValue(connectTimeout),
                DrainTimeout = parse.GetValue(drainTimeout),
                MaxReconnects = parse.GetValue(reconnects),
                Logout = !parse.GetValue(noLogout),
                SchedulerTick = parse.GetValue(tick),
                Seed = parse.GetValue(seed),
                VinPrefix = parse.GetValue(vinPrefix),
            };
            var problems = options.Validate();
            string? clickHouseUrl = parse.GetValue(clickHouse);
            Uri? clickHouseUri = null;
            if (clickHouseUrl is not null && !Safety.LoopbackGuard.TryCheckUrl(clickHouseUrl, out clickHouseUri, out var urlError))
            {
                problems = [.. problems, $"--check-clickhouse: {urlError}"];
            }
            string db = parse.GetValue(database)!;
            if (!ClickHouseCheck.IsPlainIdentifier(db))
            {
                problems = [.. problems, $"--clickhouse-database: '{db}' is not a plain name."];
            }
            if (problems.Count > 0)
            {
                foreach (var problem in problems)
                {
                    Console.Error.WriteLine(problem);
                }
                return ExitCodes.Usage;
            }

            if (ProcessLimits.WarnIfTooFewDescriptors(options.Terminals, "this fleet") is { } warning)
            {
                Console.Error.WriteLine(warning);
            }
            bool asJson = parse.GetValue(json);
            var progressOut = asJson ? Console.Error : Console.Out;
            bool inPlace = asJson ? !Console.IsErrorRedirected : !Console.IsOutputRedirected;
            var progress = parse.GetValue(quiet) ? null : new ProgressWriter(progressOut, inPlace);
            var report = await FleetRunner.RunAsync(options, cancellationToken, progress);
            progress?.Finish();

            TimeSpan wait = parse.GetValue(checkWait);
            StorageCheckResult? clickHouseResult = null;
            if (clickHouseUri is not null)
            {
                var commands = parse.GetValue(stored) ?? options.AckedCommands;
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                progress?.Write($"checking ClickHouse {clickHouseUri} {db}.frames_raw (up to {wait.TotalSeconds:0} s) ...");
                clickHouseResult = await ClickHouseCheck.RunAsync(http, clickHouseUri, db, report.Terminals, [.. commands], wait, CancellationToken.None);
            }
            StorageCheckResult? platformResult = null;
            if (parse.GetValue(record) is { } recordPath)
            {
                progress?.Write($"checking platform record {recordPath} (up to {wait.TotalSeconds:0} s) ...");
                var relayedTerminals = report.Terminals.Where(t => parse.GetValue(relayedProtocols)!.Contains(t.Protocol)).ToList();
                platformResult = await PlatformRecordCheck.RunAsync(recordPath, relayedTerminals, [.. parse.GetValue(relayed)!], wait, CancellationToken.None);
            }

            bool passed = report.Clean && clickHouseResult?.Passed != false && platformResult?.Passed != false;
            if (asJson)
            {
                Console.Out.WriteLine(new FleetOutput(passed, report, clickHouseResult, platformResult).ToJson());
            }
            else
            {
                Console.Out.Write(FleetConsole.Summary(report, clickHouseResult, platformResult));
                Console.Out.WriteLine(passed ? "result        PASS" : "result        FAIL");
            }
            return passed ? ExitCodes.Passed : ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>
    /// Runs socket completions (a reply arrived) on the socket engine's own thread instead of queueing each to the
    /// thread pool: a terminal's reply handling is a few hundred nanoseconds, the hand-off costs more than the work.
    /// The runtime reads this variable when the first socket is created, so it must be set before any; an explicit
    /// setting in the environment wins. The fleet command only: the sink keeps the runtime's default.
    /// </summary>
    private static void InlineSocketCompletions()
    {
        const string Name = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        if (Environment.GetEnvironmentVariable(Name) is null)
        {
            Environment.SetEnvironmentVariable(Name, "1");
        }
    }
}

internal static class ExitCodes
{
    public const int Passed = 0;
    /// <summary>The run completed but something was not acknowledged, an error was seen, or a check failed.</summary>
    public const int Failed = 2;
    public const int Usage = 1;
}
