using System.Net;
using LoadGen.Fleet;
using LoadGen.Frames;
using LoadGen.Measurement;
using LoadGen.Platform;
using LoadGen.Sink;

namespace LoadGen.Tests.Fleet;

/// <summary>Short runs over real loopback sockets; assertions are on counts, never on timing.</summary>
public class FleetBehaviourTests
{
    private static string Errors(FleetReport report) => string.Join(", ", report.Counters.Errors.Select(kv => $"{kv.Key} {kv.Value}"));

    [Fact]
    public async Task Coverage_gaps_drop_the_link_and_the_missed_data_comes_back_as_acknowledged_reissue()
    {
        await using var sink = SinkServer.Start(new SinkOptions());
        var options = new FleetOptions
        {
            Terminals = 40,
            Target = sink.EndPoint,
            Protocols = ProtocolMix.Parse("gb2016=1,hj1239=1"),
            RealtimeInterval = TimeSpan.FromMilliseconds(100),
            GapEvery = TimeSpan.FromMilliseconds(400),
            GapDuration = TimeSpan.FromMilliseconds(500),
            Duration = TimeSpan.FromSeconds(3),
            Seed = 11,
        };

        var report = await FleetRunner.RunAsync(options);

        // A gap cuts the link at once, like a tunnel: a frame in flight then gets no answer ("unanswered", at most one
        // per cut). Any other error fails.
        long unanswered = report.Counters.Errors.GetValueOrDefault("unanswered");
        Assert.True(report.Counters.Errors.All(kv => kv.Key == "unanswered"), Errors(report));
        Assert.True(report.Counters.Gaps > 0);
        Assert.True(unanswered <= report.Counters.Gaps, Errors(report));
        Assert.True(report.Counters.SentByCommand.GetValueOrDefault("reissue") > 0, "reissue frames were sent");
        // A gap may cut a link while its login is in flight: that login is one of the unanswered frames.
        Assert.InRange(report.Counters.LoginsAcknowledged, report.Counters.ConnectionsEstablished - unanswered, report.Counters.ConnectionsEstablished);
        Assert.True(report.Counters.ConnectionsEstablished > options.Terminals, "terminals reconnected after their gaps");
        Assert.Equal(report.FramesExpectingAck - unanswered, report.Counters.FramesAcknowledged);
        Assert.Equal(report.Counters.FramesSent, sink.Stats().Frames);
    }

    [Fact]
    public async Task An_annex_q_fleet_expects_no_replies_and_its_frames_all_arrive()
    {
        await using var sink = SinkServer.Start(new SinkOptions { AnnexQ = true });
        var options = new FleetOptions
        {
            Terminals = 30,
            Target = sink.EndPoint,
            Protocols = ProtocolMix.Only(TerminalProtocol.Gb17691),
            RealtimeInterval = TimeSpan.FromMilliseconds(200),
            Duration = TimeSpan.FromSeconds(2),
            Seed = 3,
        };

        var report = await FleetRunner.RunAsync(options);

        Assert.True(report.Clean, Errors(report));
        Assert.Equal(0, report.FramesExpectingAck);
        Assert.Equal(0, report.Counters.FramesAcknowledged);
        Assert.Equal(30, report.Counters.SentByCommand["login"]);
        Assert.Equal(30, report.Counters.SentByCommand["logout"]);
        Assert.False(report.Counters.SentByCommand.ContainsKey("heartbeat"));
        await WaitUntilAsync(() => sink.Stats().Frames == report.Counters.FramesSent);
    }

    [Fact]
    public async Task The_frame_limit_stops_the_fleet_after_exactly_that_many_realtime_frames()
    {
        await using var sink = SinkServer.Start(new SinkOptions());
        var options = new FleetOptions
        {
            Terminals = 50,
            Target = sink.EndPoint,
            RealtimeInterval = TimeSpan.FromMilliseconds(100),
            Duration = TimeSpan.FromSeconds(30),
            RealtimeFrameLimit = 300,
            Seed = 5,
        };

        var report = await FleetRunner.RunAsync(options);

        Assert.Equal("frame limit", report.StopReason);
        Assert.Equal(300, report.Counters.SentByCommand["realtime"]);
        Assert.True(report.Clean, Errors(report));
    }

    [Fact]
    public async Task Nobody_listening_shows_as_refused_connections_and_the_run_still_ends()
    {
        var closed = ClosedEndPoint();
        var options = new FleetOptions
        {
            Terminals = 20,
            Target = closed,
            Duration = TimeSpan.FromSeconds(20),
            MaxReconnects = 1,
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            Seed = 1,
        };

        var report = await FleetRunner.RunAsync(options);

        Assert.Equal("finished", report.StopReason); // every terminal gave up before the duration
        Assert.Equal(0, report.Counters.ConnectionsEstablished);
        Assert.Equal(40, report.Counters.ConnectionsRefused);
        Assert.Equal(40, report.Counters.ConnectAttempts);
        Assert.False(report.Clean);
    }

    [Fact]
    public async Task A_target_that_never_answers_the_login_shows_login_timeouts()
    {
        // The superior-platform simulator records vehicle frames but answers none of them.
        await using var platform = PlatformServer.Start(new PlatformOptions());
        var options = new FleetOptions
        {
            Terminals = 10,
            Target = platform.EndPoint,
            Protocols = ProtocolMix.Only(TerminalProtocol.Gb2016),
            AckTimeout = TimeSpan.FromMilliseconds(300),
            MaxReconnects = 0,
            Duration = TimeSpan.FromSeconds(20),
            Seed = 2,
        };

        var report = await FleetRunner.RunAsync(options);

        Assert.Equal(10, report.Counters.Errors[LoadErrorKind.LoginTimeout.Name()]);
        Assert.Equal(10, report.Counters.Errors[LoadErrorKind.Unanswered.Name()]);
        Assert.Equal(0, report.Counters.SentByCommand.GetValueOrDefault("realtime"));
        Assert.Equal(10, report.Unacknowledged);
        await WaitUntilAsync(() => platform.Snapshot().Frames == 10);
    }

    [Fact]
    public async Task Cancelling_ends_the_run_with_logouts()
    {
        await using var sink = SinkServer.Start(new SinkOptions());
        using var cancel = new CancellationTokenSource();
        var options = new FleetOptions { Terminals = 20, Target = sink.EndPoint, Duration = TimeSpan.FromMinutes(5), Seed = 9 };
        var progress = new ProgressProbe(cancel, when: p => p.Counters.LoginsAcknowledged == 20);

        var report = await FleetRunner.RunAsync(options with { ProgressInterval = TimeSpan.FromMilliseconds(50) }, cancel.Token, progress);

        Assert.Equal("cancelled", report.StopReason);
        Assert.Equal(20, report.Counters.SentByCommand["logout"]);
        Assert.True(report.Clean, Errors(report));
    }

    private sealed class ProgressProbe(CancellationTokenSource cancel, Func<FleetProgress, bool> when) : IProgress<FleetProgress>
    {
        public void Report(FleetProgress value)
        {
            if (when(value))
            {
                cancel.Cancel();
            }
        }
    }

    private static IPEndPoint ClosedEndPoint()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return (IPEndPoint)listener.LocalEndpoint;
    }

    /// <summary>The sink counts a frame when it reads it, which may trail the client's close by a moment.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }
        Assert.True(condition());
    }
}
