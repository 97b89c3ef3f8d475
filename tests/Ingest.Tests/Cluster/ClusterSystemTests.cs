using System.Globalization;
using System.Text.Json;
using Ingest.Sinks.Redis;
using Ingest.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Ingest.Tests.Cluster;

/// <summary>
/// The multi-node deployment of <c>scripts/cluster.sh up</c>, for real: a simulated fleet through HAProxy onto two
/// ingest nodes, a ClickHouse cluster of two shards with two replicas, a Redis Cluster of three masters with a replica
/// each, and the simulated superior platform every node relays to. Runs only with <c>INGEST_CLUSTER_UP=1</c>.
/// The tests change the bench (they kill and restart a node and a ClickHouse server) and put it back as they found it,
/// so they run one after the other.
/// </summary>
[Collection(nameof(ClusterCollection))]
public sealed class ClusterSystemTests(ITestOutputHelper output)
{
    private static readonly string[] ErrorsAKilledNodeCauses =
        ["connection_reset", "remote_closed", "reply_missing", "ack_timeout", "unanswered", "send_failed", "connect_refused", "login_timeout"];

    [ClusterFact]
    public async Task A_fleet_loses_no_acknowledged_frame_when_a_node_is_killed_and_a_ClickHouse_replica_stopped()
    {
        var bench = await ClusterBench.OpenAsync();
        const int terminals = 300;
        int seed = Random.Shared.Next(1, int.MaxValue);
        var fleet = ClusterBench.RunProcessAsync(ClusterBench.LoadGenPath,
        [
            "fleet", "-t", bench.Terminal, "--hj1239-target", bench.HjTerminal, "-n", terminals.ToString(CultureInfo.InvariantCulture),
            "--interval", "500ms", "--duration", "40s", "--seed", seed.ToString(CultureInfo.InvariantCulture),
            "--max-reconnects", "20", "--ack-timeout", "5s",
            "--check-clickhouse", bench.ClickHouse, "--clickhouse-database", bench.Database,
            "--check-platform-record", bench.PlatformRecord, "--check-wait", "180s", "--json",
        ], TimeSpan.FromMinutes(6));
        try
        {
            // Under load: node 2 dies (SIGKILL, its spool keeps what it acknowledged), then one replica of shard 1
            // stops; node 2 comes back while the replica is still down. The delays place the faults in the run.
            var servers = await bench.ServersAsync();
            await Task.Delay(TimeSpan.FromSeconds(10));
            output.WriteLine(await ClusterBench.RunAsync("kill-node", "2"));
            await Task.Delay(TimeSpan.FromSeconds(3));
            output.WriteLine(await ClusterBench.RunAsync("stop-clickhouse", "2"));
            long before = await LocalRowsAsync(bench, servers[0].Address);
            await Eventually.TrueAsync(async () => await LocalRowsAsync(bench, servers[0].Address) > before,
                "rows reach shard 1 through its remaining replica", TimeSpan.FromSeconds(60));
            output.WriteLine(await ClusterBench.RunAsync("start-node", "2"));
            // Back before the checks: without insert_quorum an insert is acknowledged by one replica, so rows that
            // reached only the stopped one are not visible until it returns (and its peer fetches them).
            await Task.Delay(TimeSpan.FromSeconds(5));
            output.WriteLine(await ClusterBench.RunAsync("start-clickhouse", "2"));

            var (exitCode, json, progress) = await fleet;
            output.WriteLine($"LoadGen exit {exitCode}\n{progress[^Math.Min(progress.Length, 4000)..]}\n{json}");
            var result = ClusterBench.ParseReport(json);
            var report = result.GetProperty("report");
            var counters = report.GetProperty("counters");

            // Every acknowledged frame exactly once in the Distributed tables (FINAL), every relayed one at the platform.
            AssertCheckPassed(result.GetProperty("clickHouse"), "clickhouse");
            AssertCheckPassed(result.GetProperty("platform"), "platform");
            Assert.True(counters.GetProperty("framesAcknowledged").GetInt64() > terminals * 20L, "the fleet ran under load");
            // The killed node's terminals reconnected (through the balancer, to the node still up) and went on.
            Assert.True(counters.GetProperty("connectionsEstablished").GetInt64() > terminals, "terminals of the killed node reconnected");
            Assert.True(counters.GetProperty("loginsAcknowledged").GetInt64() > terminals, "the reconnected terminals logged in again");
            foreach (var error in counters.GetProperty("errors").EnumerateObject())
            {
                Assert.Contains(error.Name, ErrorsAKilledNodeCauses);
            }

            // Both nodes stored rows of this fleet: the balancer spread it, and node 2's spool drained after its restart.
            string prefix = report.GetProperty("vinPrefix").GetString()!;
            var byNode = await bench.QueryAsync(
                $"SELECT node, count() FROM {bench.Database}.frames_raw FINAL WHERE {FleetVins(prefix)} GROUP BY node ORDER BY node");
            output.WriteLine(byNode);
            Assert.Contains("node-1\t", byNode);
            Assert.Contains("node-2\t", byNode);
        }
        finally
        {
            await fleet.ContinueWith(_ => { }, TaskScheduler.Default);
            output.WriteLine(await ClusterBench.RunAsync("start-clickhouse", "2"));
            output.WriteLine(await ClusterBench.RunAsync("start-node", "2"));
        }

        // The stopped replica caught up from its peer.
        var shards = await bench.ServersAsync();
        await Eventually.TrueAsync(async () =>
            await LocalRowsAsync(bench, shards[0].Address) == await LocalRowsAsync(bench, shards[1].Address),
            "both replicas of shard 1 hold the same frames_raw rows", TimeSpan.FromSeconds(120));
    }

    [ClusterFact]
    public async Task Each_vehicle_lives_on_the_one_shard_its_VIN_hash_names_and_both_its_replicas_hold_it()
    {
        var bench = await ClusterBench.OpenAsync();
        int seed = Random.Shared.Next(1, int.MaxValue);
        var (exitCode, json, progress) = await ClusterBench.RunProcessAsync(ClusterBench.LoadGenPath,
        [
            "fleet", "-t", bench.Terminal, "--hj1239-target", bench.HjTerminal, "-n", "200", "--interval", "1s",
            "--duration", "4s", "--seed", seed.ToString(CultureInfo.InvariantCulture),
            "--check-clickhouse", bench.ClickHouse, "--clickhouse-database", bench.Database, "--check-wait", "60s", "--json",
        ], TimeSpan.FromMinutes(3));
        output.WriteLine(progress);
        Assert.Equal(0, exitCode);
        string prefix = ClusterBench.ParseReport(json).GetProperty("report").GetProperty("vinPrefix").GetString()!;

        var servers = await bench.ServersAsync();
        Assert.Equal([1, 1, 2, 2], servers.Select(s => s.Shard));
        var shard1 = await VinsAsync(bench, servers[0].Address, prefix);
        var shard2 = await VinsAsync(bench, servers[2].Address, prefix);

        Assert.Equal(200, shard1.Count + shard2.Count);
        Assert.Empty(shard1.Intersect(shard2));
        Assert.NotEmpty(shard1);
        Assert.NotEmpty(shard2);
        // Distributed(..., cityHash64(vin)) with two shards of weight 1: remainder 0 -> shard 1, 1 -> shard 2.
        var misplaced = await bench.QueryNumberAsync(
            $"SELECT count() FROM remote('{servers[0].Address}', {bench.Database}, frames_raw_local) " +
            $"WHERE {FleetVins(prefix)} AND cityHash64(vin) % 2 != 0");
        Assert.Equal(0, misplaced);
        await Eventually.TrueAsync(async () =>
            (await VinsAsync(bench, servers[1].Address, prefix)).SetEquals(shard1) &&
            (await VinsAsync(bench, servers[3].Address, prefix)).SetEquals(shard2),
            "the second replica of each shard holds the same vehicles");
    }

    [ClusterFact]
    public async Task Live_state_written_through_two_nodes_never_rolls_back_on_the_Redis_Cluster()
    {
        var bench = await ClusterBench.OpenAsync();
        string prefix = "c" + Guid.NewGuid().ToString("N")[..10];
        await using var nodeA = await ConnectStoreAsync(bench.Redis, prefix);
        await using var nodeB = await ConnectStoreAsync(bench.Redis, prefix);
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);
        var vins = Enumerable.Range(0, 300).Select(i => $"LCLUSTER{i:D9}").ToList();

        // A vehicle reconnected to node B and sent newer data; node A still delivers older frames from its spool
        // (a backlog after a ClickHouse or Redis pause): the newer state must stay, whatever order they land in.
        await nodeB.ApplyAsync(vins.Select(v => State(v, t0.AddMinutes(1), speed: 70, "node-b")).ToList(), CancellationToken.None);
        await nodeA.ApplyAsync(vins.Select(v => State(v, t0, speed: 1, "node-a")).ToList(), CancellationToken.None);

        foreach (var vin in vins)
        {
            var state = await nodeA.GetAsync(vin, CancellationToken.None);
            Assert.NotNull(state);
            Assert.Equal(70, state.SpeedKmh);
            Assert.Equal("node-b", state.Node);
            Assert.Equal(t0.AddMinutes(1).AddSeconds(-1).ToUnixTimeMilliseconds(), state.DeviceTime!.Value.ToUnixTimeMilliseconds());
        }

        // The state hashes spread over all three masters, and each merge-script call touched keys of one slot only
        // (a cross-slot call fails on a cluster).
        await using var raw = await ConnectionMultiplexer.ConnectAsync(bench.Redis);
        var masters = raw.GetServers().Where(s => !s.IsReplica).ToList();
        Assert.Equal(3, masters.Count);
        foreach (var master in masters)
        {
            long keys = 0;
            await foreach (var key in master.KeysAsync(pattern: prefix + ":*"))
            {
                keys++;
                await raw.GetDatabase().KeyDeleteAsync(key);
            }
            Assert.True(keys > 0, $"master {master.EndPoint} holds state keys");
        }
    }

    [ClusterFact]
    public async Task After_a_Redis_failover_live_state_is_still_there_and_updates_go_on()
    {
        var bench = await ClusterBench.OpenAsync();
        string prefix = "f" + Guid.NewGuid().ToString("N")[..10];
        await using var store = await ConnectStoreAsync(bench.Redis, prefix);
        await using var raw = await ConnectionMultiplexer.ConnectAsync(bench.Redis + ",allowAdmin=true");
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);
        var vins = Enumerable.Range(0, 100).Select(i => $"LFAILOVR{i:D9}").ToList();
        Assert.Equal(StateApplyStatus.Applied,
            (await store.ApplyAsync(vins.Select(v => State(v, t0, speed: 10, "node-a")).ToList(), CancellationToken.None)).Status);

        // The replica of the master holding the first vehicle takes over (CLUSTER FAILOVER: the graceful kind, which
        // waits until the replica has every write; a crashed master loses what it had not replicated yet).
        var master = raw.GetDatabase().IdentifyEndpoint(store.Keys.State(vins[0]))!;
        var replica = raw.GetServers().Single(s => s.IsReplica && ReplicaOf(s) == ((System.Net.IPEndPoint)master).Port);
        var failover = System.Diagnostics.Stopwatch.StartNew();
        await replica.ExecuteAsync("CLUSTER", "FAILOVER");
        await Eventually.TrueAsync(async () => ((RedisResult[])(await replica.ExecuteAsync("ROLE"))!)[0].ToString() == "master",
            "the replica is the master");
        output.WriteLine($"replica {replica.EndPoint} is master after {failover.Elapsed.TotalSeconds:F1} s");

        foreach (var vin in vins)
        {
            Assert.Equal(10, (await store.GetAsync(vin, CancellationToken.None))!.SpeedKmh);
        }
        // The store follows the new topology (MOVED) and the next updates land.
        // Until the client's next topology check (Redis:Endpoint gets configCheckSeconds 5) the moved slots' updates
        // are dropped (Unavailable, counted): live state lags by that much, ClickHouse and the relay do not.
        await Eventually.TrueAsync(async () =>
            (await store.ApplyAsync(vins.Select(v => State(v, t0.AddMinutes(1), speed: 20, "node-b")).ToList(), CancellationToken.None)).Status
                == StateApplyStatus.Applied,
            "an update after the failover is applied", TimeSpan.FromSeconds(30));
        output.WriteLine($"updates applied again {failover.Elapsed.TotalSeconds:F1} s after the failover began");
        foreach (var vin in vins)
        {
            Assert.Equal(20, (await store.GetAsync(vin, CancellationToken.None))!.SpeedKmh);
        }

        // A new connection knows the new topology (this one may not yet).
        await using var cleanup = await ConnectionMultiplexer.ConnectAsync(bench.Redis);
        foreach (var server in cleanup.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: prefix + ":*"))
            {
                await cleanup.GetDatabase().KeyDeleteAsync(key);
            }
        }

        int ReplicaOf(IServer server) =>
            int.Parse(server.Info("replication").SelectMany(g => g).Single(kv => kv.Key == "master_port").Value, CultureInfo.InvariantCulture);
    }

    private static VehicleState State(string vin, DateTimeOffset received, double speed, string node) => new()
    {
        Vin = vin, ReceivedAt = received, DeviceTime = received.AddSeconds(-1), Online = true, Node = node,
        Protocol = "gb32960", SpeedKmh = speed, SocPct = 50,
    };

    private static Task<RedisVehicleStateStore> ConnectStoreAsync(string endpoint, string prefix) =>
        RedisVehicleStateStore.ConnectAsync(
            new RedisOptions { Endpoint = endpoint, KeyPrefix = prefix, ConnectTimeout = TimeSpan.FromSeconds(5) },
            new RedisStateMetrics(new TestMeterFactory()), NullLogger<RedisVehicleStateStore>.Instance, null);

    private static async Task<HashSet<string>> VinsAsync(ClusterBench bench, string server, string prefix)
    {
        var text = await bench.QueryAsync(
            $"SELECT DISTINCT vin FROM remote('{server}', {bench.Database}, frames_raw_local) WHERE {FleetVins(prefix)}");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
    }

    /// <summary>The VINs of one fleet run: LoadGen's prefix is positions 1-11, and position 9 is each VIN's check digit.</summary>
    private static string FleetVins(string prefix) =>
        $"startsWith(vin, '{prefix[..8]}') AND substring(vin, 10, 2) = '{prefix[9..11]}'";

    private static Task<long> LocalRowsAsync(ClusterBench bench, string server) =>
        bench.QueryNumberAsync($"SELECT count() FROM remote('{server}', {bench.Database}, frames_raw_local)");

    private static void AssertCheckPassed(JsonElement check, string name)
    {
        Assert.True(check.ValueKind == JsonValueKind.Object, $"the {name} check ran");
        Assert.True(check.GetProperty("passed").GetBoolean(), $"{name} check: {check}");
        Assert.Equal(0, check.GetProperty("vinsMissing").GetInt32());
    }
}

[CollectionDefinition(nameof(ClusterCollection), DisableParallelization = true)]
public sealed class ClusterCollection;
