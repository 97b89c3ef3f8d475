using Ingest.Sinks.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Ingest.Tests.Infrastructure;

/// <summary>
/// A <see cref="RedisVehicleStateStore"/> on a real Redis with a key prefix of its own (<c>t...</c>), plus a plain
/// connection to look at the raw keys; the prefix's keys are deleted at the end.
/// </summary>
public sealed class RedisTestStore : IAsyncDisposable
{
    private RedisTestStore(RedisVehicleStateStore store, ConnectionMultiplexer raw, RedisOptions options, TestMeterFactory meters)
    {
        Store = store;
        Raw = raw;
        Options = options;
        Meters = meters;
    }

    public RedisVehicleStateStore Store { get; }

    public ConnectionMultiplexer Raw { get; }

    public RedisOptions Options { get; }

    public TestMeterFactory Meters { get; }

    public static async Task<RedisTestStore> CreateAsync(string? endpoint = null, Action<RedisOptions>? configure = null, TimeProvider? time = null)
    {
        endpoint ??= (await TestServices.GetAsync()).Redis;
        var options = new RedisOptions
        {
            Endpoint = endpoint,
            KeyPrefix = "t" + Guid.NewGuid().ToString("N")[..10],
            ConnectTimeout = TimeSpan.FromSeconds(2),
            OperationTimeout = TimeSpan.FromSeconds(2),
        };
        configure?.Invoke(options);
        var meters = new TestMeterFactory();
        var store = await RedisVehicleStateStore.ConnectAsync(options, new RedisStateMetrics(meters), NullLogger<RedisVehicleStateStore>.Instance, time);
        var raw = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { endpoint }, AbortOnConnectFail = false, ConnectTimeout = 2_000,
        });
        return new RedisTestStore(store, raw, options, meters);
    }

    public IDatabase Db => Raw.GetDatabase();

    public async ValueTask DisposeAsync()
    {
        if (Raw.IsConnected)
        {
            foreach (var endpoint in Raw.GetEndPoints())
            {
                var server = Raw.GetServer(endpoint);
                await foreach (var key in server.KeysAsync(pattern: Options.KeyPrefix + ":*"))
                {
                    await Db.KeyDeleteAsync(key);
                }
            }
        }
        await Store.DisposeAsync();
        await Raw.DisposeAsync();
        Meters.Dispose();
    }
}
