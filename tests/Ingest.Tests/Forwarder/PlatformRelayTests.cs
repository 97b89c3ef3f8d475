using System.Net;
using Ingest.Forwarder.Links;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Relay;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using LoadGen.Frames;
using LoadGen.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Ingest.Tests.Forwarder;

/// <summary>
/// The forwarder inside the real server, relaying to the load generator's simulated superior platform over real
/// sockets. A recording relay (<see cref="TcpTap"/>) in front of the platform keeps the bytes the link sent, so
/// frames can be compared byte for byte with what the terminals sent.
/// </summary>
public sealed class PlatformRelayTests(ITestOutputHelper output)
{
    /// <summary>A link name of this test instance's own: forwarder metrics are filtered by it (the exporter sees every host in the process).</summary>
    private readonly string _linkName = "nat-" + Guid.NewGuid().ToString("N")[..8];
    private const string Username = "ingest";
    private const string Password = "secret-1";
    private const string PlatformCode = "PLATFORM000000001";

    /// <summary>Commands a link relays by default: vehicle login, realtime, reissue, logout (GB/T 32960 only).</summary>
    private static readonly byte[] Relayed = [Commands.Login, Commands.Realtime, Commands.Reissue, Commands.Logout];

    [Fact]
    public async Task The_link_logs_in_and_relays_every_acknowledged_gb_frame_byte_for_byte_in_order_per_vin()
    {
        await using var platform = PlatformServer.Start(new PlatformOptions { Username = Username, Password = Password });
        await using var tap = TcpTap.Start(platform.EndPoint);
        await using var server = await TestServer.StartAsync(WithLink(SystemSettings.For(SystemSettings.UniqueNode("relay")), tap.Port));
        await using var fleet = RecordingFleet.Start(new RecordingFleetOptions
        {
            Terminals = [TerminalProtocol.Gb2016, TerminalProtocol.Gb2016, TerminalProtocol.Gb2016, TerminalProtocol.Gb2025,
                TerminalProtocol.Gb2025, TerminalProtocol.Gb2025, TerminalProtocol.Hj1239, TerminalProtocol.Hj1239],
            GbPort = server.Port(0),
            HjPort = server.Port(1),
            DataFramesPerTerminal = 40,
        });
        var sent = await fleet.CompletionAsync(TimeSpan.FromSeconds(30));
        Assert.All(sent, f => Assert.True(f.Acknowledged));
        var expected = ExpectedPerVin(sent);
        int total = expected.Values.Sum(v => v.Count);
        await Eventually.TrueAsync(() => platform.Snapshot().Frames >= total, $"{total} frames at the platform", TimeSpan.FromSeconds(30));

        var frames = tap.ClientFrames();
        var first = Frames.Header(frames[0]);
        Assert.Equal((Gb32960Command.PlatformLogin, PlatformCode), (first.Command, first.Vin.ToString()));
        var record = platform.Snapshot();
        Assert.Equal((1L, 0L, 0L), (record.LoginsAccepted, record.LoginsRejected, record.FramesBeforeLogin));
        var received = ReceivedPerVin(frames);
        foreach (var (vin, frames1) in expected)
        {
            // One connection, no outage: exactly the terminal's bytes, in its order.
            Assert.Equal(frames1, received.GetValueOrDefault(vin) ?? []);
            Assert.Equal(frames1.Count, record.Received(vin, Relayed));
        }
        foreach (var vin in sent.Where(f => f.Protocol == TerminalProtocol.Hj1239).Select(f => f.Vin).Distinct())
        {
            Assert.False(received.ContainsKey(vin), $"HJ 1239 vehicle {vin} relayed although the link does not include HJ 1239");
        }
        Assert.Equal(total, received.Values.Sum(v => v.Count));
    }

    [Fact]
    public async Task After_a_platform_outage_everything_acknowledged_meanwhile_arrives_in_order_and_late_realtime_comes_as_reissue()
    {
        var window = TimeSpan.FromSeconds(1);
        var platform = PlatformServer.Start(new PlatformOptions { Username = Username, Password = Password });
        await using var tap = TcpTap.Start(platform.EndPoint);
        await using var server = await TestServer.StartAsync(WithLink(SystemSettings.For(SystemSettings.UniqueNode("outage")), tap.Port, window));
        await using var fleet = RecordingFleet.Start(new RecordingFleetOptions
        {
            Terminals = [TerminalProtocol.Gb2016, TerminalProtocol.Gb2016, TerminalProtocol.Gb2016, TerminalProtocol.Gb2025, TerminalProtocol.Gb2025],
            GbPort = server.Port(0),
            FrameInterval = TimeSpan.FromMilliseconds(20),
        });
        await Eventually.TrueAsync(() => platform.Snapshot().Frames >= 50, "frames relayed before the outage", TimeSpan.FromSeconds(30));

        await tap.StopAsync();
        await platform.DisposeAsync();
        var beforeOutage = fleet.Snapshot().Select(f => f.Digest).ToHashSet();
        long acknowledgedAtStop = fleet.Acknowledged;
        await Eventually.TrueAsync(() => fleet.Acknowledged >= acknowledgedAtStop + 150, "frames acknowledged during the outage", TimeSpan.FromSeconds(30));
        var sent = await fleet.StopAsync(); // the vehicles log out while the platform is still away
        var duringOutage = sent.Where(f => !beforeOutage.Contains(f.Digest)).ToList();
        await Task.Delay(window + TimeSpan.FromMilliseconds(200)); // everything received is now older than the realtime window
        int connectionsBefore = tap.Connections;

        await using var restarted = PlatformServer.Start(new PlatformOptions { Username = Username, Password = Password });
        tap.Restart(restarted.EndPoint);
        var expected = ExpectedPerVin(sent);
        int total = expected.Values.Sum(v => v.Count);
        Dictionary<string, List<byte[]>> received = [];
        await Eventually.TrueAsync(() =>
        {
            received = ReceivedPerVin(tap.ClientFrames());
            return expected.All(kv => received.TryGetValue(kv.Key, out var r) && Coverage(kv.Value, r) == kv.Value.Count);
        }, $"all {total} acknowledged frames at the platform after the restart", TimeSpan.FromSeconds(30));

        Assert.True(restarted.Snapshot().LoginsAccepted >= 1, "the link logged in to the restarted platform");
        foreach (var (vin, frames) in expected)
        {
            AssertAtLeastOnceInOrder(vin, frames, received[vin]);
        }
        // Frames received while the platform was away were relayed after the window: realtime only as reissue 0x03.
        var late = ReceivedPerVin(tap.ClientFrames(fromConnection: connectionsBefore));
        int lateRealtime = 0;
        foreach (var frame in duringOutage.Where(f => f.Command == Commands.Realtime))
        {
            var copies = late.GetValueOrDefault(frame.Vin, []).Where(r => Matches(frame.Bytes, r)).ToList();
            Assert.True(copies.Count > 0, $"{frame.Vin} #{frame.Sequence} not relayed after the restart");
            Assert.All(copies, c => Assert.Equal(Commands.Reissue, c[2]));
            lateRealtime++;
        }
        Assert.True(lateRealtime > 0);
        var metrics = await server.GetMetricsAsync();
        Assert.True(TestServer.MetricValue(metrics, "forwarder_frames_reissued_total", $"link=\"{_linkName}\"") >= lateRealtime);
        output.WriteLine($"{total} frames expected, {received.Values.Sum(v => v.Count)} received, {duringOutage.Count} during the outage ({lateRealtime} realtime sent as reissue)");
    }

    /// <summary>
    /// A platform that vanishes while the link is writing must cost a reconnect, nothing more: the forwarder runs as
    /// a hosted service, and an exception escaping it stops the whole host (BackgroundServiceExceptionBehavior.StopHost),
    /// terminal ports included. Three outages make it very likely that one lands in the middle of a write.
    /// </summary>
    [Fact]
    public async Task A_platform_vanishing_mid_relay_leaves_the_server_running_and_the_link_reconnecting()
    {
        var platform = PlatformServer.Start(new PlatformOptions { Username = Username, Password = Password });
        await using var tap = TcpTap.Start(platform.EndPoint);
        await using var server = await TestServer.StartAsync(WithLink(SystemSettings.For(SystemSettings.UniqueNode("vanish")), tap.Port));
        var lifetime = server.Services.GetRequiredService<IHostApplicationLifetime>();
        var forwarder = server.Services.GetServices<IHostedService>().OfType<ForwarderService>().Single();
        await using var fleet = RecordingFleet.Start(new RecordingFleetOptions
        {
            Terminals = [.. Enumerable.Repeat(TerminalProtocol.Gb2016, 6)],
            GbPort = server.Port(0),
            FrameInterval = TimeSpan.FromMilliseconds(2),
        });
        try
        {
            for (int outage = 1; outage <= 3; outage++)
            {
                var current = platform;
                await Eventually.TrueAsync(() => current.Snapshot().Frames >= 100, $"relaying before outage {outage}", TimeSpan.FromSeconds(30));
                await tap.StopAsync();
                await platform.DisposeAsync();
                await Task.Delay(300); // the link notices, fails its write or read, and backs off
                Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, $"outage {outage} stopped the whole server");
                Assert.False(forwarder.ExecuteTask?.IsCompleted, $"outage {outage} ended the forwarder: {forwarder.ExecuteTask?.Exception?.InnerException}");
                platform = PlatformServer.Start(new PlatformOptions { Username = Username, Password = Password });
                tap.Restart(platform.EndPoint);
            }
            long acknowledged = fleet.Acknowledged;
            await Eventually.TrueAsync(() => fleet.Acknowledged > acknowledged + 100, "terminals still acknowledged", TimeSpan.FromSeconds(10));
        }
        finally
        {
            await platform.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_platform_that_refuses_the_login_gets_retried_with_backoff_and_no_frame_and_the_rejection_is_counted()
    {
        await using var platform = PlatformServer.Start(new PlatformOptions { LoginResult = Gb32960ResponseFlags.Error });
        await using var server = await TestServer.StartAsync(WithLink(SystemSettings.For(SystemSettings.UniqueNode("refused")), platform.EndPoint.Port));
        await using var fleet = RecordingFleet.Start(new RecordingFleetOptions
        {
            Terminals = [TerminalProtocol.Gb2016, TerminalProtocol.Gb2025],
            GbPort = server.Port(0),
            DataFramesPerTerminal = 10,
        });
        var sent = await fleet.CompletionAsync(TimeSpan.FromSeconds(30));
        Assert.All(sent, f => Assert.True(f.Acknowledged)); // terminals are not affected by the platform

        var link = server.Services.GetServices<IHostedService>().OfType<ForwarderService>().Single().Links.Single();
        await Eventually.TrueAsync(() => platform.Snapshot().LoginsRejected >= 3, "the link tried to log in again and again", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => link.State == LinkState.Backoff, "the link waits between attempts", TimeSpan.FromSeconds(10));

        var record = platform.Snapshot();
        Assert.Equal((0L, 0L, 0L), (record.LoginsAccepted, record.Frames, record.FramesBeforeLogin));
        Assert.Equal((-1L, 0L), (link.ConfirmedOffset, Interlocked.Read(ref link.FramesRelayed)));
        Assert.Equal(0, server.Spool.GetStats().ConsumerOffsets.GetValueOrDefault(ForwarderService.ConsumerName(_linkName)));
        var metrics = await server.GetMetricsAsync();
        double rejected = TestServer.MetricValue(metrics, "forwarder_link_logins_rejected_total", $"link=\"{_linkName}\"");
        Assert.InRange(rejected, 3, platform.Snapshot().LoginsRejected);
        Assert.Equal(0, TestServer.MetricValue(metrics, "forwarder_link_logins_total", $"link=\"{_linkName}\""));
        Assert.Equal(0, TestServer.MetricValue(metrics, "forwarder_frames_relayed_total", $"link=\"{_linkName}\""));
    }

    [Fact]
    public async Task Frames_of_unfiled_vehicles_are_not_relayed_unless_the_link_sets_RelayUnfiled()
    {
        const string filed = "LRELAYFILED000001", unfiled = "LRELAYUNFILED0001";
        await using var platform = PlatformServer.Start(new PlatformOptions { Username = Username, Password = Password });
        await using var tap = TcpTap.Start(platform.EndPoint);
        await using var server = await TestServer.StartAsync(WithLink(SystemSettings.For(SystemSettings.UniqueNode("unfiled")), tap.Port,
            relayUnfiled: false)); // an open listener: both vehicles are stored, only the filed one is relayed
        await server.Services.GetRequiredService<Ingest.Registry.IVehicleRegistry>().UpsertAsync([new Ingest.Registry.VehicleFiling(filed, "oem-a")]);
        await using var stranger = await TestTerminal.ConnectAsync(server.Port(0));
        await using var vehicle = await TestTerminal.ConnectAsync(server.Port(0));
        foreach (var (terminal, vin) in new[] { (stranger, unfiled), (vehicle, filed) })
        {
            foreach (var frame in new[] { Frames.Login(vin), Frames.Realtime(vin), Frames.Realtime(vin) })
            {
                await terminal.SendAsync(frame);
                Assert.NotNull(await terminal.ReadFrameAsync(TimeSpan.FromSeconds(5)));
            }
        }
        long end = server.Spool.GetStats().NextOffset;
        await Eventually.TrueAsync(() => server.Spool.GetStats().ConsumerOffsets.GetValueOrDefault(ForwarderService.ConsumerName(_linkName)) >= end,
            "the link's cursor passed every record, the unfiled ones included", TimeSpan.FromSeconds(30));

        var received = ReceivedPerVin(tap.ClientFrames());
        Assert.Equal([filed], received.Keys);
        Assert.Equal(3, received[filed].Count);
        Assert.Equal(6, (await server.ReadSpoolAsync(expectAtLeast: 6)).Count); // both are stored
    }

    private Dictionary<string, string?> WithLink(Dictionary<string, string?> settings, int port, TimeSpan? realtimeWindow = null,
        bool relayUnfiled = true)
    {
        settings["Forwarder:Links:0:Name"] = _linkName;
        // The test fleets' VINs are not filed (the listeners are open): the link must ask for them.
        settings["Forwarder:Links:0:Filter:RelayUnfiled"] = relayUnfiled ? "true" : "false";
        settings["Forwarder:Links:0:Host"] = "127.0.0.1";
        settings["Forwarder:Links:0:Port"] = port.ToString();
        settings["Forwarder:Links:0:Username"] = Username;
        settings["Forwarder:Links:0:Password"] = Password;
        settings["Forwarder:Links:0:PlatformCode"] = PlatformCode;
        settings["Forwarder:Links:0:HeartbeatInterval"] = "00:00:01";
        settings["Forwarder:Links:0:ReplyTimeout"] = "00:00:05";
        settings["Forwarder:Links:0:MinReconnectDelay"] = "00:00:00.100";
        settings["Forwarder:Links:0:MaxReconnectDelay"] = "00:00:00.300";
        if (realtimeWindow is { } window)
        {
            settings["Forwarder:Links:0:RealtimeWindow"] = window.ToString("c");
        }
        return settings;
    }

    /// <summary>Per GB vehicle, the frames a link must relay (login, realtime, reissue, logout) that the server acknowledged, in order.</summary>
    private static Dictionary<string, List<byte[]>> ExpectedPerVin(IReadOnlyList<SentFrame> sent) =>
        sent.Where(f => f.Acknowledged && f.Protocol is TerminalProtocol.Gb2016 or TerminalProtocol.Gb2025 && Relayed.Contains(f.Command))
            .GroupBy(f => f.Vin)
            .ToDictionary(g => g.Key, g => g.OrderBy(f => f.Sequence).Select(f => f.Bytes).ToList());

    /// <summary>Vehicle frames the platform received, per VIN in arrival order (the link's own login and heartbeats left out).</summary>
    private static Dictionary<string, List<byte[]>> ReceivedPerVin(List<byte[]> frames) =>
        frames.Select(f => (Frame: f, Header: Frames.Header(f)))
            .Where(x => x.Header.Vin.ToString() != PlatformCode)
            .GroupBy(x => x.Header.Vin.ToString())
            .ToDictionary(g => g.Key, g => g.Select(x => x.Frame).ToList());

    /// <summary>The relayed copy of a sent frame: the same bytes, or for realtime sent late, command 0x03 and a new check byte.</summary>
    private static bool Matches(byte[] sent, byte[] relayed)
    {
        if (sent.AsSpan().SequenceEqual(relayed))
        {
            return true;
        }
        if (sent[2] != Commands.Realtime || relayed[2] != Commands.Reissue || sent.Length != relayed.Length)
        {
            return false;
        }
        var reissue = (byte[])sent.Clone();
        reissue[2] = Commands.Reissue;
        reissue[^1] = Bcc(reissue.AsSpan(2, reissue.Length - 3));
        return reissue.AsSpan().SequenceEqual(relayed);
    }

    private static byte Bcc(ReadOnlySpan<byte> bytes)
    {
        byte check = 0;
        foreach (byte b in bytes)
        {
            check ^= b;
        }
        return check;
    }

    /// <summary>How many of <paramref name="expected"/> appear in <paramref name="received"/>.</summary>
    private static int Coverage(List<byte[]> expected, List<byte[]> received) =>
        expected.Count(e => received.Any(r => Matches(e, r)));

    /// <summary>
    /// Every expected frame arrived, nothing else did, and taken in order of first arrival they are the terminal's
    /// order; repeats (resent after the outage from the last confirmed position) are allowed.
    /// </summary>
    private static void AssertAtLeastOnceInOrder(string vin, List<byte[]> expected, List<byte[]> received)
    {
        var indices = received.Select(r => expected.FindIndex(e => Matches(e, r))).ToList();
        Assert.True(!indices.Contains(-1), $"{vin}: the platform got a frame the terminal did not send");
        var firstArrivals = indices.Distinct().ToList();
        Assert.True(firstArrivals.SequenceEqual(Enumerable.Range(0, expected.Count)),
            $"{vin}: first arrivals out of order or missing: {string.Join(",", firstArrivals)} (expected 0..{expected.Count - 1})");
    }
}
