using System.Diagnostics.Metrics;
using Ingest.Sinks.Redis;
using Ingest.Tests.Infrastructure;

namespace Ingest.Tests.Sinks.Redis;

/// <summary>Kills and restarts a Redis of its own (never the shared one).</summary>
public sealed class RedisOutageTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow;

    [Fact]
    public async Task With_Redis_down_updates_return_unavailable_without_waiting_and_apply_again_once_it_is_back()
    {
        await using var server = await PrivateService.StartRedisAsync();
        await using var redis = await RedisTestStore.CreateAsync(server.RedisEndpoint);
        using var dropped = new CounterListener(redis.Meters, "ingest.redis.updates_dropped");
        Assert.Equal(StateApplyStatus.Applied, (await redis.Store.ApplyAsync([Update("V1", 0)], CancellationToken.None)).Status);

        await server.KillAsync();
        // Bounded waits: a hang here is the failure (Redis down must never block the caller).
        var whileDown = await redis.Store.ApplyAsync([Update("V1", 1), Update("V2", 1)], CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => !redis.Store.IsConnected, "store notices the lost connection");
        var stillDown = await redis.Store.ApplyAsync([Update("V1", 2)], CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var offline = await redis.Store.MarkOfflineAsync("V1", null, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(StateApplyStatus.Unavailable, whileDown.Status);
        Assert.Equal(StateApplyStatus.Unavailable, stillDown.Status);
        Assert.False(offline);
        Assert.Equal(4, dropped.Total);

        await server.StartAgainAsync();
        await Eventually.TrueAsync(async () => (await redis.Store.ApplyAsync([Update("V1", 3)], CancellationToken.None)).Status == StateApplyStatus.Applied,
            "store reconnects by itself");
        Assert.Equal(3, (await redis.Store.GetAsync("V1", CancellationToken.None))!.SpeedKmh);
    }

    [Fact]
    public async Task Connecting_while_Redis_is_down_does_not_fail_or_block()
    {
        var nothingListens = $"127.0.0.1:{ServicesScript.FreePort()}";

        await using var redis = await RedisTestStore.CreateAsync(nothingListens).WaitAsync(TimeSpan.FromSeconds(30));
        var result = await redis.Store.ApplyAsync([Update("V1", 0)], CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(redis.Store.IsConnected);
        Assert.Equal(StateApplyStatus.Unavailable, result.Status);
    }

    internal static VehicleState Update(string vin, int second) => new()
    {
        Vin = vin, ReceivedAt = T0.AddSeconds(second), DeviceTime = T0.AddSeconds(second), SpeedKmh = second, Node = "n1",
    };

    /// <summary>Sums one counter of the meters made by one factory.</summary>
    internal sealed class CounterListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public CounterListener(IMeterFactory scope, string instrumentName)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Name == instrumentName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
