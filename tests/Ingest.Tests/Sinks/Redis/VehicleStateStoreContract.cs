using Ingest.Sinks.Redis;
using Ingest.Tests.Infrastructure;

namespace Ingest.Tests.Sinks.Redis;

/// <summary>The merge rules every <see cref="IVehicleStateStore"/> keeps; run against Redis and against the in-process store.</summary>
public abstract class VehicleStateStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    protected ManualTimeProvider Clock { get; } = new(T0.AddMinutes(1));

    protected IVehicleStateStore Store { get; private set; } = null!;

    protected abstract Task<IVehicleStateStore> CreateStoreAsync(TimeProvider time);

    public virtual async Task InitializeAsync() => Store = await CreateStoreAsync(Clock);

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_applied_update_reads_back_field_by_field()
    {
        var update = Full("LSVAU2180N2183294", T0, speed: 61.5);

        var result = await Store.ApplyAsync([update], CancellationToken.None);
        var stored = await Store.GetAsync("LSVAU2180N2183294", CancellationToken.None);

        Assert.Equal(new StateApplyResult(StateApplyStatus.Applied, 1), result);
        Assert.Equal(update with { LastSeen = T0 }, stored);
    }

    [Fact]
    public async Task A_vehicle_never_seen_has_no_state()
    {
        Assert.Null(await Store.GetAsync("LNOTSEEN000000000", CancellationToken.None));
    }

    [Fact]
    public async Task Fields_missing_from_an_update_keep_their_stored_values()
    {
        await Store.ApplyAsync([Full("V1", T0, speed: 10)], CancellationToken.None);

        await Store.ApplyAsync([new VehicleState { Vin = "V1", ReceivedAt = T0.AddSeconds(10), DeviceTime = T0.AddSeconds(9), SpeedKmh = 20 }], CancellationToken.None);
        var stored = await Store.GetAsync("V1", CancellationToken.None);

        Assert.Equal(20, stored!.SpeedKmh);
        Assert.Equal(80.5, stored.SocPct);
        Assert.Equal(116.397128, stored.Longitude);
        Assert.Equal("node-a", stored.Node);
        Assert.Equal(T0.AddSeconds(9), stored.DeviceTime);
    }

    [Fact]
    public async Task Reissued_older_data_does_not_roll_telemetry_back_but_the_vehicle_counts_as_seen()
    {
        await Store.ApplyAsync([Full("V1", T0, speed: 50)], CancellationToken.None);

        var reissue = Full("V1", T0.AddSeconds(30), speed: 5) with { DeviceTime = T0.AddMinutes(-30) };
        await Store.ApplyAsync([reissue], CancellationToken.None);
        var stored = await Store.GetAsync("V1", CancellationToken.None);

        Assert.Equal(50, stored!.SpeedKmh);
        Assert.Equal(T0.AddSeconds(-1), stored.DeviceTime);
        Assert.Equal(T0.AddSeconds(30), stored.LastSeen);
    }

    [Fact]
    public async Task A_replayed_old_update_changes_nothing()
    {
        await Store.ApplyAsync([Full("V1", T0.AddSeconds(60), speed: 70)], CancellationToken.None);

        await Store.ApplyAsync([Full("V1", T0, speed: 1) with { Node = "node-old" }], CancellationToken.None);
        var stored = await Store.GetAsync("V1", CancellationToken.None);

        Assert.Equal(70, stored!.SpeedKmh);
        Assert.Equal("node-a", stored.Node);
        Assert.Equal(T0.AddSeconds(60), stored.LastSeen);
    }

    [Fact]
    public async Task Online_list_is_most_recently_seen_first_and_capped_by_the_limit()
    {
        await Store.ApplyAsync([Full("V1", T0.AddSeconds(1)), Full("V2", T0.AddSeconds(3)), Full("V3", T0.AddSeconds(2))], CancellationToken.None);

        var online = await Store.ListOnlineAsync(2, CancellationToken.None);

        Assert.Equal(["V2", "V3"], online.Select(s => s.Vin));
    }

    [Fact]
    public async Task A_filtered_online_list_applies_the_filter_before_the_limit()
    {
        await Store.ApplyAsync([Full("VA1", T0.AddSeconds(1)), Full("VB2", T0.AddSeconds(4)), Full("VA3", T0.AddSeconds(2)),
            Full("VA4", T0.AddSeconds(3))], CancellationToken.None);
        var asked = new List<string>();

        var online = await Store.ListOnlineAsync(2, vin => { lock (asked) { asked.Add(vin); } return vin.StartsWith("VA", StringComparison.Ordinal); },
            CancellationToken.None);

        // The newest vehicle is filtered out, yet two are still listed: the limit counts only the ones accepted.
        Assert.Equal(["VA4", "VA3"], online.Select(s => s.Vin));
        Assert.Contains("VB2", asked);
    }

    [Fact]
    public async Task A_logout_takes_the_vehicle_off_the_online_list()
    {
        await Store.ApplyAsync([Full("V1", T0), Full("V2", T0)], CancellationToken.None);

        await Store.ApplyAsync([new VehicleState { Vin = "V1", ReceivedAt = T0.AddSeconds(5), Online = false }], CancellationToken.None);
        var online = await Store.ListOnlineAsync(10, CancellationToken.None);

        Assert.Equal(["V2"], online.Select(s => s.Vin));
        Assert.False((await Store.GetAsync("V1", CancellationToken.None))!.Online);
    }

    [Fact]
    public async Task Vehicles_not_seen_within_the_online_timeout_are_not_listed()
    {
        await Store.ApplyAsync([Full("V1", T0), Full("V2", T0.AddMinutes(5))], CancellationToken.None);

        Clock.Set(T0.AddMinutes(12)); // timeout 10 min: V1 stale, V2 fresh

        Assert.Equal(["V2"], (await Store.ListOnlineAsync(10, CancellationToken.None)).Select(s => s.Vin));
    }

    [Fact]
    public async Task Closing_on_an_old_node_leaves_a_vehicle_that_reconnected_elsewhere_online()
    {
        await Store.ApplyAsync([Full("V1", T0) with { Node = "node-b" }], CancellationToken.None);

        var changedByOldNode = await Store.MarkOfflineAsync("V1", "node-a", CancellationToken.None);
        var stillOnline = await Store.ListOnlineAsync(10, CancellationToken.None);
        var changedByCurrentNode = await Store.MarkOfflineAsync("V1", "node-b", CancellationToken.None);

        Assert.False(changedByOldNode);
        Assert.Equal(["V1"], stillOnline.Select(s => s.Vin));
        Assert.True(changedByCurrentNode);
        Assert.Empty(await Store.ListOnlineAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task A_vehicle_silent_beyond_OfflineAfter_is_marked_offline_by_the_sweep_and_one_seen_since_is_not()
    {
        await Store.ApplyAsync([Full("V1", T0), Full("V2", T0.AddMinutes(4))], CancellationToken.None);

        Clock.Set(T0.AddMinutes(6)); // OfflineAfter 5 min: V1 silent for 6 min (dropped without a logout), V2 for 2
        var first = await Store.SweepAsync(CancellationToken.None);
        var second = await Store.SweepAsync(CancellationToken.None);

        Assert.Equal(new StateSweepResult(1, 0), first);
        Assert.Equal(new StateSweepResult(0, 0), second);
        Assert.False((await Store.GetAsync("V1", CancellationToken.None))!.Online);
        Assert.True((await Store.GetAsync("V2", CancellationToken.None))!.Online);
        Assert.Equal(["V2"], (await Store.ListOnlineAsync(10, CancellationToken.None)).Select(s => s.Vin));

        await Store.ApplyAsync([Full("V1", T0.AddMinutes(6))], CancellationToken.None); // back again
        Assert.Equal(["V1", "V2"], (await Store.ListOnlineAsync(10, CancellationToken.None)).Select(s => s.Vin));
    }

    [Fact]
    public async Task The_state_of_a_vehicle_unseen_beyond_ForgetAfter_is_deleted_by_the_sweep()
    {
        await Store.ApplyAsync(
            [Full("V1", T0), Full("V2", T0.AddDays(20)), Full("V3", T0), new VehicleState { Vin = "V3", ReceivedAt = T0.AddSeconds(1), Online = false }],
            CancellationToken.None);

        Clock.Set(T0.AddDays(31)); // ForgetAfter 30 days: V1 and V3 (logged out) unseen for 31 days, V2 for 11
        var result = await Store.SweepAsync(CancellationToken.None);

        Assert.Equal(2, result.Forgotten);
        Assert.Null(await Store.GetAsync("V1", CancellationToken.None));
        Assert.Null(await Store.GetAsync("V3", CancellationToken.None));
        Assert.NotNull(await Store.GetAsync("V2", CancellationToken.None));
        await AssertNothingLeftOfAsync("V1");
        await AssertNothingLeftOfAsync("V3");
    }

    /// <summary>Store-specific traces of a forgotten vehicle (index entries) beyond its state.</summary>
    protected virtual Task AssertNothingLeftOfAsync(string vin) => Task.CompletedTask;

    protected static VehicleState Full(string vin, DateTimeOffset received, double speed = 30) => new()
    {
        Vin = vin,
        ReceivedAt = received,
        DeviceTime = received.AddSeconds(-1),
        Online = true,
        Node = "node-a",
        Protocol = "gb32960",
        Longitude = 116.397128,
        Latitude = 39.916527,
        PositionValid = true,
        SpeedKmh = speed,
        SocPct = 80.5,
        FuelLevelPct = 55,
        OdometerKm = 12_345.6,
        AlarmLevel = 1,
        AlarmFlags = 0x0000_0402,
        Mil = false,
        NoxPpm = 35.25,
        SpoolOffset = 7,
    };
}

public sealed class InMemoryVehicleStateStoreTests : VehicleStateStoreContract
{
    protected override Task<IVehicleStateStore> CreateStoreAsync(TimeProvider time) =>
        Task.FromResult<IVehicleStateStore>(new InMemoryVehicleStateStore(new RedisOptions(), time));

    [Fact]
    public async Task The_in_process_store_never_holds_more_than_its_bound_and_evicts_the_least_recently_seen()
    {
        var store = new InMemoryVehicleStateStore(new RedisOptions { MaxInProcessVehicles = 100 }, Clock);
        int maxSeen = 0;

        // A login flood of 1,000 random VINs, a few per batch.
        for (int i = 0; i < 1_000; i += 7)
        {
            var batch = Enumerable.Range(i, Math.Min(7, 1_000 - i)).Select(n => Full($"R{n:D5}", T0.AddSeconds(n))).ToList();
            await store.ApplyAsync(batch, CancellationToken.None);
            maxSeen = Math.Max(maxSeen, store.Count);
        }

        Assert.Equal(100, maxSeen);
        Assert.Null(await store.GetAsync("R00000", CancellationToken.None));
        foreach (int n in Enumerable.Range(900, 100))
        {
            Assert.NotNull(await store.GetAsync($"R{n:D5}", CancellationToken.None));
        }
        Assert.Equal(900, store.Evicted);
    }
}

public sealed class RedisVehicleStateStoreContractTests : VehicleStateStoreContract
{
    private RedisTestStore _redis = null!;

    protected override async Task<IVehicleStateStore> CreateStoreAsync(TimeProvider time)
    {
        _redis = await RedisTestStore.CreateAsync(time: time);
        return _redis.Store;
    }

    public override async Task DisposeAsync() => await _redis.DisposeAsync();

    protected override async Task AssertNothingLeftOfAsync(string vin)
    {
        Assert.False(await _redis.Db.KeyExistsAsync(_redis.Store.Keys.State(vin)));
        Assert.Null(await _redis.Db.SortedSetScoreAsync(_redis.Store.Keys.Online(vin), vin));
        Assert.Null(await _redis.Db.SortedSetScoreAsync(_redis.Store.Keys.Seen(vin), vin));
    }
}
