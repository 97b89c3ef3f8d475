using System.Text.Json;
using Ingest.Http;
using Ingest.Sinks.Redis;
using StackExchange.Redis;

namespace Ingest.Tests.Http;

/// <summary>Issue 10 item 7: one time convention in HTTP output (+08:00), whichever store the state came from.</summary>
public class HttpJsonTests
{
    private static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        HttpJson.Configure(options);
        return options;
    }

    [Fact]
    public void A_state_from_redis_and_the_same_state_in_process_print_the_same_times_at_plus_eight()
    {
        var device = new DateTimeOffset(2024, 5, 14, 18, 18, 19, TimeSpan.FromHours(8));
        var received = DateTimeOffset.FromUnixTimeMilliseconds(device.ToUnixTimeMilliseconds() + 1_234);
        var inProcess = new VehicleState { Vin = "LZYTUGEW5G1059545", ReceivedAt = received, DeviceTime = device, LastSeen = received };
        var fromRedis = VehicleStateFields.Parse("LZYTUGEW5G1059545",
        [
            new HashEntry(VehicleStateFields.ReceivedAtMs, received.ToUnixTimeMilliseconds()),
            new HashEntry(VehicleStateFields.DeviceTimeMs, device.ToUnixTimeMilliseconds()),
            new HashEntry(VehicleStateFields.LastSeenMs, received.ToUnixTimeMilliseconds()),
            new HashEntry(VehicleStateFields.Online, "1"),
        ])!;
        Assert.Equal(TimeSpan.Zero, fromRedis.DeviceTime!.Value.Offset);

        using var a = JsonDocument.Parse(JsonSerializer.Serialize(inProcess, Options));
        using var b = JsonDocument.Parse(JsonSerializer.Serialize(fromRedis, Options));

        foreach (var name in new[] { "receivedAt", "deviceTime", "lastSeen" })
        {
            Assert.Equal(a.RootElement.GetProperty(name).GetString(), b.RootElement.GetProperty(name).GetString());
            Assert.EndsWith("+08:00", a.RootElement.GetProperty(name).GetString());
        }
        Assert.Equal("2024-05-14T18:18:19+08:00", a.RootElement.GetProperty("deviceTime").GetString());
        Assert.Equal("2024-05-14T18:18:20.234+08:00", a.RootElement.GetProperty("receivedAt").GetString());
        Assert.DoesNotContain("\\u002B", JsonSerializer.Serialize(fromRedis, Options));
    }
}
