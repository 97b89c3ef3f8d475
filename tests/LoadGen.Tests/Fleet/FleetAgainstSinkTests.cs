using System.Net;
using LoadGen.Fleet;
using LoadGen.Frames;
using LoadGen.Sink;

namespace LoadGen.Tests.Fleet;

public class FleetAgainstSinkTests
{
    [Fact]
    public async Task Every_frame_a_mixed_fleet_sends_to_the_sink_is_acknowledged()
    {
        await using var sink = SinkServer.Start(new SinkOptions());
        var options = new FleetOptions
        {
            Terminals = 300,
            Target = sink.EndPoint,
            Protocols = ProtocolMix.Parse("gb2016=1,gb2025=1,hj1239=1"),
            RealtimeInterval = TimeSpan.FromMilliseconds(500),
            HeartbeatInterval = TimeSpan.FromMilliseconds(300),
            RampUpPerSecond = 1000,
            Duration = TimeSpan.FromSeconds(3),
            SourceAddresses = [IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3")],
            Seed = 7,
        };

        var report = await FleetRunner.RunAsync(options);

        Assert.True(report.Counters.Errors.Count == 0, string.Join(", ", report.Counters.Errors.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.Equal(300, report.Counters.ConnectionsEstablished);
        Assert.Equal(300, report.Counters.LoginsAcknowledged);
        Assert.True(report.Counters.SentByCommand["realtime"] >= 300, "every terminal sent realtime data");
        Assert.Equal(300, report.Counters.SentByCommand["logout"]);
        Assert.Equal(report.Counters.FramesSent, report.FramesExpectingAck);
        Assert.Equal(report.Counters.FramesSent, report.Counters.FramesAcknowledged);
        Assert.True(report.Clean);
        Assert.Equal(report.Counters.FramesSent, sink.Stats().Frames);
        Assert.Equal(report.Counters.FramesAcknowledged, report.Latency.Count);
    }
}
