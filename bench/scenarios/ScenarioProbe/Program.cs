using ScenarioProbe.Alarms;
using ScenarioProbe.Cli;
using ScenarioProbe.Freshness;
using ScenarioProbe.Outage;
using ScenarioProbe.Storm;

// The measuring parts of bench/scenarios/run.sh. Each command prints one JSON object on stdout.
const string usage = """
    ScenarioProbe storm            --target H:P [--hj1239-target H:P] --terminals N [--timeout 60s] [--hold 1s] [--seed S] [--sources A-B]
    ScenarioProbe freshness        --target H:P --clickhouse URL --database DB [--duration 20s] [--interval 200ms] [--poll 25ms]
    ScenarioProbe freshness-direct --clickhouse URL --database DB [--duration 20s] [--interval 200ms] [--poll 25ms]
    ScenarioProbe alarm-latency    --target H:P --secret S [--listen 24050] [--duration 30s] [--interval 100ms] [--timeout 10s]
    ScenarioProbe outage           --target H:P [--hj1239-target H:P] --http URL [--metrics URL] --platform H:P [--link nat] --terminals N
                                   [--interval 1s] [--pre 10s] [--outage 20s] [--post 30s] [--drain-timeout 120s]
                                   [--clickhouse URL --database DB]
    Loopback only. Exit code 0 = measured and clean, 2 = measured with problems (see the JSON), 1 = usage error.
    """;
if (args.Length == 0)
{
    Console.Error.WriteLine(usage);
    return 1;
}
try
{
    var options = new Args(args.Skip(1));
    return args[0] switch
    {
        "storm" => await StormCommand.RunAsync(options),
        "freshness" => await FreshnessCommand.RunAsync(options, direct: false),
        "freshness-direct" => await FreshnessCommand.RunAsync(options, direct: true),
        "outage" => await OutageCommand.RunAsync(options),
        "alarm-latency" => await AlarmLatencyCommand.RunAsync(options),
        _ => throw new ArgumentException($"Unknown command '{args[0]}'."),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(usage);
    return 1;
}
