using System.Text.Json;
using Ingest.Sinks.Redis;
using Ingest.Tests.Infrastructure;
using StackExchange.Redis;

namespace Ingest.Tests.Sinks.Redis;

/// <summary>What an update leaves in Redis, key by key.</summary>
public sealed class RedisLayoutTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddSeconds(-30);

    [Fact]
    public async Task An_update_writes_the_state_hash_the_online_and_seen_sets_and_the_live_stream()
    {
        await using var redis = await RedisTestStore.CreateAsync();
        var update = new VehicleState
        {
            Vin = "LSVAU2180N2183294", ReceivedAt = T0, DeviceTime = T0.AddSeconds(-1), Node = "node-a", Protocol = "gb32960",
            SpeedKmh = 42.5, SocPct = 77, SpoolOffset = 12,
        };

        await redis.Store.ApplyAsync([update], CancellationToken.None);

        var prefix = redis.Options.KeyPrefix;
        var hash = (await redis.Db.HashGetAllAsync($"{prefix}:{{LSVAU2180N2183294}}:state")).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        Assert.Equal("42.5", hash["speed_kmh"]);
        Assert.Equal("77", hash["soc_pct"]);
        Assert.Equal("1", hash["online"]);
        Assert.Equal("node-a", hash["node"]);
        Assert.Equal(T0.ToUnixTimeMilliseconds().ToString(), hash["last_seen_ms"]);
        Assert.Equal(T0.AddSeconds(-1).ToUnixTimeMilliseconds().ToString(), hash["device_time_ms"]);
        Assert.False(hash.ContainsKey("lon"));

        var shard = redis.Store.Keys.ShardOf("LSVAU2180N2183294");
        Assert.Equal(T0.ToUnixTimeMilliseconds(), await redis.Db.SortedSetScoreAsync($"{prefix}:online:{{{shard}}}", "LSVAU2180N2183294"));
        Assert.Equal(T0.ToUnixTimeMilliseconds(), await redis.Db.SortedSetScoreAsync($"{prefix}:seen:{{{shard}}}", "LSVAU2180N2183294"));

        var entry = Assert.Single(await redis.Db.StreamRangeAsync($"{prefix}:live"));
        var fields = entry.Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString());
        Assert.Equal("LSVAU2180N2183294", fields["vin"]);
        Assert.Equal("42.5", fields["speed_kmh"]);
        Assert.Equal("12", fields["spool_offset"]);
    }

    [Fact]
    public void Every_key_of_a_vehicle_carries_its_vin_as_the_cluster_hash_tag_and_online_sets_spread()
    {
        var keys = new RedisKeys(new RedisOptions { KeyPrefix = "tm", OnlineShards = 16 });

        Assert.Equal("tm:{LSVAU2180N2183294}:state", keys.State("LSVAU2180N2183294").ToString());
        Assert.Equal("tm:online:{3}", keys.OnlineShard(3).ToString());
        var shards = Enumerable.Range(0, 2_000).Select(i => keys.ShardOf($"LSV{i:D14}")).ToHashSet();
        Assert.Equal(16, shards.Count);
        Assert.Equal(keys.ShardOf("LSVAU2180N2183294"), new RedisKeys(new RedisOptions { OnlineShards = 16 }).ShardOf("LSVAU2180N2183294"));
    }

    [Fact]
    public async Task The_live_stream_is_capped_near_its_maximum_length()
    {
        await using var redis = await RedisTestStore.CreateAsync(configure: o => o.LiveStreamMaxLength = 100);
        var updates = Enumerable.Range(0, 2_000)
            .Select(i => new VehicleState { Vin = $"V{i % 50}", ReceivedAt = T0.AddMilliseconds(i), DeviceTime = T0.AddMilliseconds(i), SpeedKmh = i })
            .ToList();

        await redis.Store.ApplyAsync(updates, CancellationToken.None);
        long length = await redis.Db.StreamLengthAsync($"{redis.Options.KeyPrefix}:live");

        Assert.InRange(length, 100, 1_000);
        Assert.Equal(1_999, (await redis.Store.GetAsync("V49", CancellationToken.None))!.SpeedKmh);
    }

    [Fact]
    public async Task Updates_are_published_as_json_when_a_live_channel_is_configured()
    {
        var channel = "test-live-" + Guid.NewGuid().ToString("N");
        await using var redis = await RedisTestStore.CreateAsync(configure: o => o.LiveChannel = channel);
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await redis.Raw.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel), (_, message) => received.TrySetResult(message.ToString()));

        await redis.Store.ApplyAsync([new VehicleState { Vin = "V1", ReceivedAt = T0, DeviceTime = T0, SocPct = 66 }], CancellationToken.None);
        var text = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var json = JsonDocument.Parse(text).RootElement;

        Assert.Equal("V1", json.GetProperty("vin").GetString());
        Assert.Equal(66, json.GetProperty("soc_pct").GetDouble());
        Assert.Equal(T0.ToUnixTimeMilliseconds(), json.GetProperty("device_time").GetDateTimeOffset().ToUnixTimeMilliseconds()); // the same instant, to the millisecond
        Assert.EndsWith("+08:00", json.GetProperty("device_time").GetString(), StringComparison.Ordinal); // one time convention for every output
        Assert.Contains("+08:00", text, StringComparison.Ordinal); // a plain '+', not \u002B
    }
}
