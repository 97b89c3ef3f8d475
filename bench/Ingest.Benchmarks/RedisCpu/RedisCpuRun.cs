using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Ingest.Benchmarks.Before;
using Ingest.Sinks.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Ingest.Benchmarks.RedisCpu;

/// <summary>
/// Redis's own CPU per state update, the write path before issue 7 (<see cref="RedisStateWriterBefore"/>: a script
/// call per update) against the current one (<see cref="RedisVehicleStateStore"/>: merged per VIN, one script call per
/// batch), on the same Redis in one run, rounds alternating. Redis CPU is <c>used_cpu_sys + used_cpu_user</c> of
/// <c>INFO cpu</c> before and after a run of N updates; the client's CPU and the wall time are shown beside it. The
/// Redis should be private to the run (bench/redis-cpu.sh starts one): anything else it serves counts too, and the
/// database is flushed between runs.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project bench/Ingest.Benchmarks -- redis-cpu ENDPOINT [updates] [rounds]</c>. Two fleets:
/// <c>fleet</c> (2,000 vehicles, a batch of 1,000 holds 1,000 VINs: live traffic) and <c>backlog</c> (100 vehicles,
/// ten updates per VIN per batch: catching up after an outage).
/// </remarks>
public static class RedisCpuRun
{
    private const int BatchSize = 1_000;
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: redis-cpu ENDPOINT [updates=40000] [rounds=5] [live stream length=100000, 0: none]");
            return 2;
        }
        string endpoint = args[0];
        int updates = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 40_000;
        int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;

        int streamLength = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : new RedisOptions().LiveStreamMaxLength;
        var options = new RedisOptions { Endpoint = endpoint, KeyPrefix = "cpu", LiveStreamMaxLength = streamLength };
        using var meters = new SimpleMeterFactory();
        await using var store = await RedisVehicleStateStore.ConnectAsync(options, new RedisStateMetrics(meters), NullLogger<RedisVehicleStateStore>.Instance);
        await using var beforeConnection = await ConnectionMultiplexer.ConnectAsync(endpoint);
        var before = new RedisStateWriterBefore(beforeConnection, options);
        await using var admin = await ConnectionMultiplexer.ConnectAsync(endpoint + ",allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);

        Console.WriteLine($"== Redis CPU per update, {updates:N0} updates per run in batches of {BatchSize:N0}, {rounds} rounds, live stream {(streamLength > 0 ? "on" : "off")}, " +
            $"Redis {server.Version} at {endpoint}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {File.ReadAllText("/proc/loadavg")[..14]}");
        Console.WriteLine();
        Console.WriteLine("| fleet | path | Redis CPU µs/update, median (min-max) | client CPU µs/update, median | wall ms, median | Redis CPU after/before |");
        Console.WriteLine("|---|---|---|---:|---:|---:|");
        foreach (var (fleet, vehicles) in new[] { ("fleet", 2_000), ("backlog", 100) })
        {
            var states = Updates(updates, vehicles);
            var values = states.Select(StateUpdate.From).ToArray();
            Func<int, Task> runBefore = async start => await before.ApplyAsync(states.GetRange(start, Math.Min(BatchSize, states.Count - start)));
            Func<int, Task> runAfter = async start => await store.ApplyAsync(values.AsMemory(start, Math.Min(BatchSize, values.Length - start)), CancellationToken.None);

            // Warm up both (JIT, script cache), then measure in alternating order.
            await MeasureAsync(server, Math.Min(updates, 5 * BatchSize), runBefore);
            await MeasureAsync(server, Math.Min(updates, 5 * BatchSize), runAfter);
            var b = new List<Sample>();
            var a = new List<Sample>();
            for (int round = 0; round < rounds; round++)
            {
                if (round % 2 == 0)
                {
                    b.Add(await MeasureAsync(server, updates, runBefore));
                    a.Add(await MeasureAsync(server, updates, runAfter));
                }
                else
                {
                    a.Add(await MeasureAsync(server, updates, runAfter));
                    b.Add(await MeasureAsync(server, updates, runBefore));
                }
            }
            double beforeMedian = Median(b, s => s.RedisUs);
            double afterMedian = Median(a, s => s.RedisUs);
            Console.WriteLine(Row(fleet, "before (script per update)", b, ""));
            Console.WriteLine(Row(fleet, "after (merged, script per batch)", a, (afterMedian / beforeMedian).ToString("0.00", CultureInfo.InvariantCulture)));
        }
        return 0;
    }

    private static string Row(string fleet, string path, List<Sample> samples, string ratio) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {fleet} | {path} | {Median(samples, s => s.RedisUs):0.00} ({samples.Min(s => s.RedisUs):0.00}-{samples.Max(s => s.RedisUs):0.00}) | " +
            $"{Median(samples, s => s.ClientUs):0.00} | {Median(samples, s => s.WallMs):0} | {ratio} |");

    private static double Median(List<Sample> samples, Func<Sample, double> value)
    {
        var sorted = samples.Select(value).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private readonly record struct Sample(double RedisUs, double ClientUs, double WallMs);

    private static async Task<Sample> MeasureAsync(IServer server, int updates, Func<int, Task> applyBatchAt)
    {
        await server.FlushDatabaseAsync();
        double redisBefore = await RedisCpuSecondsAsync(server);
        var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        for (int start = 0; start < updates; start += BatchSize)
        {
            await applyBatchAt(start);
        }
        var wall = Stopwatch.GetElapsedTime(started);
        var client = Process.GetCurrentProcess().TotalProcessorTime - clientBefore;
        double redis = await RedisCpuSecondsAsync(server) - redisBefore;
        return new Sample(redis * 1e6 / updates, client.TotalMicroseconds / updates, wall.TotalMilliseconds);
    }

    private static async Task<double> RedisCpuSecondsAsync(IServer server)
    {
        var cpu = (await server.InfoAsync("cpu")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
        return double.Parse(cpu["used_cpu_sys"], CultureInfo.InvariantCulture) + double.Parse(cpu["used_cpu_user"], CultureInfo.InvariantCulture);
    }

    /// <summary>Frames in arrival order, vehicle after vehicle; every telemetry field set; one frame in 997 a logout.</summary>
    private static List<VehicleState> Updates(int count, int vehicles) =>
        Enumerable.Range(0, count).Select(i => new VehicleState
        {
            Vin = $"LBENCH{i % vehicles:D11}",
            ReceivedAt = T0.AddMilliseconds(i),
            DeviceTime = i % 997 == 0 ? null : T0.AddMilliseconds(i - 1_000),
            Online = i % 997 != 0,
            Node = "bench",
            Protocol = "gb32960",
            Longitude = 116.397128 + (i % 1000 * 1e-6),
            Latitude = 39.916527,
            PositionValid = true,
            SpeedKmh = i % 1200 / 10.0,
            SocPct = 80.5,
            OdometerKm = 12_345.6 + i,
            AlarmLevel = 0,
            AlarmFlags = 0,
            SpoolOffset = 1_000_000L + (600L * i),
        }).ToList();

    private sealed class SimpleMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
