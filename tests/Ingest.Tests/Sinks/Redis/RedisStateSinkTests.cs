using System.Text;
using Ingest.Sinks.Redis;
using Ingest.Spool;
using Ingest.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Ingest.Tests.Sinks.Redis;

public sealed class RedisStateSinkTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-5);

    [Fact]
    public async Task Every_record_updates_the_state_and_the_cursor_is_committed()
    {
        await using var redis = await RedisTestStore.CreateAsync(configure: o => o.BatchRecords = 64);
        var spool = new InMemorySpool();
        await AppendAsync(spool, 0, 1_000);
        var sink = NewSink(spool, redis.Store, redis.Options, redis.Meters);

        await sink.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => spool.CommittedOffset(RedisStateSink.ConsumerName) == 1_000, "all 1,000 records committed");
        await sink.StopAsync(CancellationToken.None);

        await AssertLatestStateAsync(redis.Store, 1_000);
        Assert.Equal(10, (await redis.Store.ListOnlineAsync(100, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task The_in_process_store_serves_the_same_sink_when_Redis_is_not_configured()
    {
        var options = new RedisOptions();
        var store = new InMemoryVehicleStateStore(options, TimeProvider.System);
        var spool = new InMemorySpool();
        await AppendAsync(spool, 0, 300);
        using var meters = new TestMeterFactory();
        var sink = NewSink(spool, store, options, meters);

        await sink.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => spool.CommittedOffset(RedisStateSink.ConsumerName) == 300, "all 300 records committed");
        await sink.StopAsync(CancellationToken.None);

        await AssertLatestStateAsync(store, 300);
    }

    [Fact]
    public async Task While_Redis_is_down_the_cursor_holds_and_the_sink_catches_up_after_the_restart()
    {
        await using var server = await PrivateService.StartRedisAsync();
        await using var redis = await RedisTestStore.CreateAsync(server.RedisEndpoint, o =>
        {
            o.MinRetryDelay = TimeSpan.FromMilliseconds(20);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
        });
        var spool = new InMemorySpool();
        var sink = NewSink(spool, redis.Store, redis.Options, redis.Meters, new TestOutputLogger<RedisStateSink>(output));
        await sink.StartAsync(CancellationToken.None);
        try
        {
            await AppendAsync(spool, 0, 500);
            await Eventually.TrueAsync(() => spool.CommittedOffset(RedisStateSink.ConsumerName) == 500, "first 500 committed");

            await server.KillAsync();
            await AppendAsync(spool, 500, 500); // the ingest side appends on, never waiting for Redis
            await Eventually.TrueAsync(() => sink.ConsecutiveFailures >= 2, "sink backs off while Redis is down");
            Assert.Equal(500, spool.CommittedOffset(RedisStateSink.ConsumerName));

            await server.StartAgainAsync(); // empty: no persistence; the state is rebuilt from the spool records not yet committed
            await Eventually.TrueAsync(() => spool.CommittedOffset(RedisStateSink.ConsumerName) == 1_000, "caught up after the restart");
            await AssertLatestStateAsync(redis.Store, 1_000);
        }
        finally
        {
            await sink.StopAsync(CancellationToken.None);
        }
    }

    private static RedisStateSink NewSink(IFrameSpool spool, IVehicleStateStore store, RedisOptions options, TestMeterFactory meters,
        Microsoft.Extensions.Logging.ILogger<RedisStateSink>? logger = null) =>
        new(spool, store, new SyntheticStateProjector(), Options.Create(options), new RedisStateMetrics(meters),
            logger ?? NullLogger<RedisStateSink>.Instance);

    private static async Task AppendAsync(InMemorySpool spool, int first, int count)
    {
        for (int i = first; i < first + count; i++)
        {
            await spool.AppendAsync(Encoding.ASCII.GetBytes($"LSVSTATE{i % 10:D9}"), CancellationToken.None);
        }
    }

    /// <summary>Each of the 10 vehicles' state shows its last record (speed = offset).</summary>
    private static async Task AssertLatestStateAsync(IVehicleStateStore store, int records)
    {
        for (int v = 0; v < 10; v++)
        {
            var state = await store.GetAsync($"LSVSTATE{v:D9}", CancellationToken.None);
            int last = records - 10 + v;
            Assert.Equal(last, state!.SpeedKmh);
            Assert.Equal(last, state.SpoolOffset);
            Assert.True(state.Online);
        }
    }

    /// <summary>Payload is the VIN; the update's times and speed come from the offset (deterministic).</summary>
    private sealed class SyntheticStateProjector : IVehicleStateProjector
    {
        public bool TryProject(in SpoolRecord record, out StateUpdate update)
        {
            update = StateUpdate.From(Project(record));
            return true;
        }

        private static VehicleState Project(in SpoolRecord record) => new()
        {
            Vin = Encoding.ASCII.GetString(record.Payload.Span),
            ReceivedAt = T0.AddMilliseconds(record.Offset),
            DeviceTime = T0.AddMilliseconds(record.Offset),
            SpeedKmh = record.Offset,
            SpoolOffset = record.Offset,
            Node = "n1",
            Protocol = "gb32960",
        };
    }
}
