using CsCheck;
using Ingest.Sinks.Redis;
using Ingest.Tests.Infrastructure;

namespace Ingest.Tests.Sinks.Redis;

/// <summary>
/// The Redis write path merges a batch per VIN and runs the merge script once per slot group: its outcome must be
/// that of applying the updates one by one, whatever is already stored (issue 7).
/// </summary>
public sealed class RedisBatchMergeTests
{
    private static readonly DateTimeOffset T0 = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static int _round;

    [Fact]
    public async Task A_batch_merged_per_vin_leaves_the_state_that_applying_its_updates_one_by_one_leaves()
    {
        var clock = new ManualTimeProvider(T0.AddMinutes(1));
        // Every round adds its vehicles to the online sets and each round lists them all (thousands of HGETALLs by the
        // end): a generous operation timeout, so a busy CI machine fails on a wrong merge, never on Redis being slow.
        await using var batched = await RedisTestStore.CreateAsync(time: clock, configure: o => o.OperationTimeout = TimeSpan.FromSeconds(30));
        await using var oneByOne = await RedisTestStore.CreateAsync(time: clock, configure: o => o.OperationTimeout = TimeSpan.FromSeconds(30));

        // Few VINs and a narrow time range: equal times, reissues (older device time, later receipt), logouts among
        // frames, fields missing from some frames. The history is applied as two batches (across batches) on one
        // store and one update at a time on the other.
        var history = Gen.Select(Update.Any.Array[1, 14], Gen.Int[0, 14], Gen.Bool);
        await history.SampleAsync(async (updates, split, perSlot) =>
        {
            int round = Interlocked.Increment(ref _round);
            var states = updates.Select(u => u.For(round)).ToArray();
            split = Math.Min(split, states.Length);
            batched.Store.GroupBySlot = perSlot;

            await ApplyAsync(batched.Store, states[..split]);
            await ApplyAsync(batched.Store, states[split..]);
            foreach (var state in states)
            {
                await ApplyAsync(oneByOne.Store, [state]);
            }

            foreach (var vin in states.Select(s => s.Vin).Distinct())
            {
                var expected = await oneByOne.Store.GetAsync(vin, CancellationToken.None);
                var actual = await batched.Store.GetAsync(vin, CancellationToken.None);
                Assert.Equal(expected, actual);
            }
            Assert.Equal(
                (await oneByOne.Store.ListOnlineAsync(10_000, CancellationToken.None)).Select(s => s.Vin),
                (await batched.Store.ListOnlineAsync(10_000, CancellationToken.None)).Select(s => s.Vin));
        }, iter: 150, threads: 1);
    }

    [Fact]
    public async Task Reissued_frames_never_roll_the_state_back_within_a_batch_or_across_batches()
    {
        await using var redis = await RedisTestStore.CreateAsync();
        var current = Frame(T0, T0.AddSeconds(-1), speed: 50) with { SocPct = 80 };
        var reissue = Frame(T0.AddSeconds(5), T0.AddMinutes(-30), speed: 5) with { SocPct = 10, Node = "node-b" };

        await ApplyAsync(redis.Store, [current, reissue]);
        var afterOne = await redis.Store.GetAsync("V1", CancellationToken.None);
        await ApplyAsync(redis.Store, [reissue with { ReceivedAt = T0.AddSeconds(9), DeviceTime = T0.AddMinutes(-20) }]);
        var afterTwo = await redis.Store.GetAsync("V1", CancellationToken.None);

        foreach (var state in new[] { afterOne!, afterTwo! })
        {
            Assert.Equal(50, state.SpeedKmh);
            Assert.Equal(80, state.SocPct);
            Assert.Equal(T0.AddSeconds(-1), state.DeviceTime);
            Assert.Equal("node-b", state.Node); // presence follows the receipt: the reissue came through node-b
        }
        Assert.Equal(T0.AddSeconds(5), afterOne!.LastSeen);
        Assert.Equal(T0.AddSeconds(9), afterTwo!.LastSeen);
    }

    [Fact]
    public async Task A_field_that_only_an_older_frame_of_the_batch_carries_is_written_only_when_that_frame_is_newer_than_the_stored_state()
    {
        await using var redis = await RedisTestStore.CreateAsync();
        await ApplyAsync(redis.Store, [Frame(T0, T0.AddSeconds(5), speed: 1) with { Vin = "OLD", SocPct = 11 }]);
        await ApplyAsync(redis.Store, [Frame(T0, T0.AddSeconds(1), speed: 1) with { Vin = "NEW", SocPct = 11 }]);

        // Per VIN: a frame at +3 s with SOC, then a frame at +9 s without. Stored at +5 s ("OLD"), the +3 s frame is
        // older than the state and its SOC must not land; stored at +1 s ("NEW"), one by one it would have landed.
        var withSoc = Frame(T0.AddSeconds(10), T0.AddSeconds(3), speed: 2) with { SocPct = 33 };
        var withoutSoc = Frame(T0.AddSeconds(11), T0.AddSeconds(9), speed: 3);
        await ApplyAsync(redis.Store, [withSoc with { Vin = "OLD" }, withoutSoc with { Vin = "OLD" }, withSoc with { Vin = "NEW" }, withoutSoc with { Vin = "NEW" }]);

        var old = await redis.Store.GetAsync("OLD", CancellationToken.None);
        var fresh = await redis.Store.GetAsync("NEW", CancellationToken.None);
        Assert.Equal((11.0, 3.0), (old!.SocPct, old.SpeedKmh));
        Assert.Equal((33.0, 3.0), (fresh!.SocPct, fresh.SpeedKmh));
        Assert.Equal(T0.AddSeconds(9), old.DeviceTime);
        Assert.Equal(T0.AddSeconds(9), fresh.DeviceTime);
    }

    [Theory]
    [InlineData(true)] // one script call per slot, as on Redis Cluster
    [InlineData(false)] // one node: calls of at most MaxVehiclesPerScript vehicles
    public async Task Thousands_of_vehicles_in_thousands_of_slots_are_written_from_one_batch(bool groupBySlot)
    {
        await using var redis = await RedisTestStore.CreateAsync();
        redis.Store.GroupBySlot = groupBySlot;
        using var vehicles = new RedisOutageTests.CounterListener(redis.Meters, "ingest.redis.vehicles_written");
        using var applied = new RedisOutageTests.CounterListener(redis.Meters, "ingest.redis.updates_applied");
        var vins = Enumerable.Range(0, 3_000).Select(i => $"LSVSLOT{i:D10}").ToArray();
        var updates = vins.SelectMany((vin, i) => new[]
        {
            Frame(T0.AddMilliseconds(i), T0.AddMilliseconds(i), speed: 1) with { Vin = vin },
            Frame(T0.AddMilliseconds(i + 1), T0.AddMilliseconds(i + 1), speed: i) with { Vin = vin, Online = i % 3 != 0 },
        }).ToArray();

        var result = await ApplyAsync(redis.Store, updates);

        Assert.Equal(new StateApplyResult(StateApplyStatus.Applied, 6_000), result);
        Assert.True(vins.Select(v => RedisStateBatch.SlotOf((string)redis.Store.Keys.State(v)!)).Distinct().Count() > 2_000);
        Assert.Equal(3_000, vehicles.Total);
        Assert.Equal(6_000, applied.Total);
        var batch = redis.Db.CreateBatch();
        var reads = vins.Select(v => batch.HashGetAsync(redis.Store.Keys.State(v), ["speed_kmh", "online"])).ToArray();
        batch.Execute();
        var stored = await Task.WhenAll(reads);
        for (int i = 0; i < vins.Length; i++)
        {
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), stored[i][0].ToString());
            Assert.Equal(i % 3 != 0 ? "1" : "0", stored[i][1].ToString());
        }
    }

    // Expected slots: CLUSTER KEYSLOT of a Redis 7.0 started with --cluster-enabled yes.
    [Theory]
    [InlineData("somekey", 11058)]
    [InlineData("foo{hash_tag}", 2515)]
    [InlineData("123456789", 12739)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{}.x", 7237)]
    [InlineData("a}b{c}", 7365)]
    [InlineData("tm:{LSVAU2180N2183294}:state", 7875)]
    public void The_slot_of_a_key_is_the_one_Redis_Cluster_computes(string key, int slot)
    {
        Assert.Equal(slot, RedisStateBatch.SlotOf(key));
    }

    private static async Task<StateApplyResult> ApplyAsync(IVehicleStateStore store, VehicleState[] updates) =>
        await store.ApplyAsync(updates, CancellationToken.None);

    private static VehicleState Frame(DateTimeOffset received, DateTimeOffset device, double speed) => new()
    {
        Vin = "V1", ReceivedAt = received, DeviceTime = device, SpeedKmh = speed, Node = "node-a", Protocol = "gb32960",
    };

    /// <summary>A generated update: which of three vehicles, times in whole seconds within ten, each field present or not.</summary>
    private sealed record Update(int Vehicle, int ReceivedS, int DeviceS, bool Online, int Fields, int Value)
    {
        public static readonly Gen<Update> Any =
            from vehicle in CsCheck.Gen.Int[0, 2]
            from received in CsCheck.Gen.Int[0, 9]
            from device in CsCheck.Gen.Int[-1, 9]
            from online in CsCheck.Gen.Frequency((4, CsCheck.Gen.Const(true)), (1, CsCheck.Gen.Const(false)))
            from fields in CsCheck.Gen.Int[0, (1 << 15) - 1]
            from value in CsCheck.Gen.Int[0, 3]
            select new Update(vehicle, received, device, online, fields, value);

        public VehicleState For(int round) => new()
        {
            Vin = $"R{round}V{Vehicle}",
            ReceivedAt = T0.AddSeconds(ReceivedS),
            DeviceTime = DeviceS < 0 ? null : T0.AddSeconds(DeviceS),
            Online = Online,
            Node = Has(0) ? $"node-{Value}" : null,
            Protocol = Has(1) ? (Value % 2 == 0 ? "gb32960" : "hj1239") : null,
            Longitude = Has(2) ? 116 + (Value / 10.0) : null,
            Latitude = Has(3) ? 39 + (Value / 10.0) : null,
            PositionValid = Has(4) ? Value % 2 == 0 : null,
            SpeedKmh = Has(5) ? Value * 10.5 : null,
            SocPct = Has(6) ? Value * 20 : null,
            FuelLevelPct = Has(7) ? Value * 0.1 : null,
            OdometerKm = Has(8) ? 1_000 + Value : null,
            AlarmLevel = Has(9) ? Value : null,
            AlarmFlags = Has(10) ? (uint)(Value << 4) : null,
            Mil = Has(11) ? Value == 1 : null,
            NoxPpm = Has(12) ? Value * 2.25 : null,
            SpoolOffset = Has(13) ? (ReceivedS * 100) + Value : null,
        };

        private bool Has(int field) => (Fields & (1 << field)) != 0;
    }
}
