using System.Globalization;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.Schema;
using Ingest.Sinks.Redis;
using Ingest.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Sinks.Redis;

/// <summary>
/// A Redis of its own (never the shared one) restarted without persistence: live state comes back from the rows in a
/// real ClickHouse, once, without rolling back a newer live update.
/// </summary>
public sealed class RedisStateRebuildTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    private ClickHouseTestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await ClickHouseTestDatabase.CreateAsync();
        await new ClickHouseSchema(_db.Database).EnsureAsync(CancellationToken.None);
        // An EV: two samples (the newer wins), logged in before them.
        await InsertAsync("vehicle_samples", "node, spool_offset, vin, device_time, received_at, speed_kmh, soc_pct, odometer_km, position_valid, lon, lat, alarm_level, alarm_flags",
            $"('n1', 1, 'LGB00000000000001', {T(-10)}, {T(-10)}, 10, 70, 1000, 1, 116.1, 39.1, 0, 0)",
            $"('n1', 2, 'LGB00000000000001', {T(-2)}, {T(-2)}, 50, 68.5, 1002.5, 1, 116.2, 39.2, 1, 1026)",
            // Seen 40 days ago: beyond ForgetAfter, not rebuilt.
            $"('n1', 3, 'LOLD0000000000001', {T(-40 * 24 * 60)}, {T(-40 * 24 * 60)}, 5, 5, 5, 0, NULL, NULL, 0, 0)");
        await InsertAsync("sessions", "node, spool_offset, vin, event, received_at, protocol",
            $"('n1', 0, 'LGB00000000000001', 'vehicle_login', {T(-15)}, 'gb32960')",
            $"('n1', 4, 'LGONE000000000001', 'vehicle_login', {T(-3)}, 'gb32960')",
            $"('n1', 5, 'LGONE000000000001', 'vehicle_logout', {T(-1)}, 'gb32960')");
        // A diesel truck: OBD item with the MIL on, data stream with fuel level and NOx.
        await InsertAsync("emission_samples", "node, spool_offset, item_index, vin, collection_time, received_at, info_type, fuel_level_pct, nox_downstream_ppm, position_valid, lon, lat, mil_status",
            $"('n1', 6, 0, 'LHJ00000000000001', {T(-1)}, {T(-1)}, 2, 40, 12.5, 1, 113.5, 22.5, NULL)",
            $"('n1', 6, 1, 'LHJ00000000000001', {T(-1)}, {T(-1)}, 1, NULL, NULL, 0, NULL, NULL, 1)");
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task After_Redis_restarts_empty_live_state_is_rebuilt_from_ClickHouse_once_and_a_newer_live_update_wins()
    {
        await using var server = await PrivateService.StartRedisAsync();
        await using var redis = await RedisTestStore.CreateAsync(server.RedisEndpoint);
        using var rebuild = new RedisStateRebuild(redis.Store, new ClickHouseVehicleStateSource(_db.Database), Options.Create(redis.Options),
            new RedisStateMetrics(redis.Meters), NullLogger<RedisStateRebuild>.Instance, TimeProvider.System);

        bool rebuiltAtFirstStart = await rebuild.CheckAsync(CancellationToken.None); // a new Redis has no sentinel either
        bool rebuiltAgain = await rebuild.CheckAsync(CancellationToken.None);         // the sentinel is there now
        Assert.True(rebuiltAtFirstStart);
        Assert.False(rebuiltAgain);
        await AssertRebuiltAsync(redis.Store, expectedSpeed: 50);

        await server.KillAsync();
        await server.StartAgainAsync(); // no persistence: every key is gone, the sentinel too
        await rebuild.StartAsync(CancellationToken.None);
        // A live update newer than anything in ClickHouse, racing the rebuild: it must win whichever lands first.
        var live = new VehicleState { Vin = "LGB00000000000001", ReceivedAt = Now, DeviceTime = Now, SpeedKmh = 99, Node = "n2" };
        await Eventually.TrueAsync(async () => (await redis.Store.ApplyAsync([live], CancellationToken.None)).Status == StateApplyStatus.Applied,
            "the store reconnects to the restarted Redis");
        await Eventually.TrueAsync(() => rebuild.Rebuilds == 2, "the reconnect finds no sentinel and rebuilds");
        await rebuild.StopAsync(CancellationToken.None);

        await AssertRebuiltAsync(redis.Store, expectedSpeed: 99);
        Assert.Equal(2, rebuild.Rebuilds);
    }

    private static async Task AssertRebuiltAsync(RedisVehicleStateStore store, double expectedSpeed)
    {
        var ev = await store.GetAsync("LGB00000000000001", CancellationToken.None);
        Assert.NotNull(ev);
        Assert.Equal(expectedSpeed, ev.SpeedKmh);
        Assert.True(ev.Online);
        if (expectedSpeed == 50)
        {
            // Without the race: every field of the newest sample. (With it, telemetry is all or nothing by device time:
            // the live update's, plus the older fields only if the rebuild landed first.)
            Assert.Equal(68.5, ev.SocPct);
            Assert.Equal(1002.5, ev.OdometerKm);
            Assert.Equal(116.2, ev.Longitude!.Value, 4);
            Assert.Equal(1026u, ev.AlarmFlags);
            Assert.Equal(Now.AddMinutes(-2), ev.DeviceTime);
        }
        else
        {
            Assert.Equal(Now, ev.DeviceTime);
        }

        var truck = await store.GetAsync("LHJ00000000000001", CancellationToken.None);
        Assert.NotNull(truck);
        Assert.Equal(40, truck.FuelLevelPct);
        Assert.Equal(12.5, truck.NoxPpm);
        Assert.True(truck.Mil);
        Assert.Equal("hj1239", truck.Protocol);
        Assert.Equal(Now.AddMinutes(-1), truck.DeviceTime);

        var loggedOut = await store.GetAsync("LGONE000000000001", CancellationToken.None);
        Assert.NotNull(loggedOut);
        Assert.False(loggedOut.Online);

        Assert.Null(await store.GetAsync("LOLD0000000000001", CancellationToken.None));
        var online = (await store.ListOnlineAsync(10, CancellationToken.None)).Select(s => s.Vin).Order();
        Assert.Equal(["LGB00000000000001", "LHJ00000000000001"], online);
    }

    private static string T(int minutes) => SqlLiteral.DateTime(Now.AddMinutes(minutes));

    private Task InsertAsync(string table, string columns, params string[] rows) =>
        _db.Database.ExecuteAsync($"INSERT INTO {_db.Database.Qualified(table)} ({columns}) VALUES {string.Join(", ", rows)}", CancellationToken.None);
}
