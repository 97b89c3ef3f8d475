using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using Ingest.Records;
using Ingest.Tests.Support;

namespace Ingest.Tests.Sessions;

/// <summary>Terminals over real sockets against the real host and spool: what each kind of input leads to.</summary>
/// <remarks>Asserts exact metric values, and the exporter sums every host in the process: runs alone.</remarks>
[Collection(Ingest.Tests.SystemTests.ProcessWideMetrics.Name)]
public class TerminalSessionTests
{
    private const string VinA = "LZYTUGEW5G1059545";
    private const string VinB = "LA9DHKMT5HBJXK236";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static List<byte[]> Frames(List<Ingest.Spool.SpoolRecord> records) =>
        records.Select(r => { Assert.True(FrameEnvelope.TryRead(r.Payload, out var e)); return e.Frame.ToArray(); }).ToList();

    [Fact]
    public async Task Login_is_answered_with_success_and_the_platform_time_after_it_is_in_the_spool()
    {
        await using var server = await TestServer.StartAsync();
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        var login = Support.Frames.Login(VinA);

        await terminal.SendAsync(login);
        var reply = await terminal.ReadFrameAsync(Wait);

        Assert.NotNull(reply);
        var header = Support.Frames.Header(reply);
        Assert.Equal(0x01, header.Command);
        Assert.Equal(Gb32960ResponseFlags.Success, header.ResponseFlag);
        Assert.Equal(VinA, header.Vin.ToString());
        Assert.Equal(login.Length, reply.Length); // the request's data unit with the time replaced
        Assert.Equal(login.AsSpan(30, login.Length - 31).ToArray(), reply.AsSpan(30, reply.Length - 31).ToArray());
        Assert.True(GbTime.Read(reply.AsSpan(24)).IsValid);
        var stored = Frames(await server.ReadSpoolAsync(expectAtLeast: 1));
        Assert.Equal(login, Assert.Single(stored));
    }

    [Fact]
    public async Task Heartbeat_gets_an_empty_success_reply_and_time_sync_gets_the_time()
    {
        await using var server = await TestServer.StartAsync();
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await terminal.SendAsync([.. Support.Frames.Heartbeat(VinA), .. Support.Frames.TimeSync(VinA)]);

        var heartbeat = Support.Frames.Header((await terminal.ReadFrameAsync(Wait))!);
        var sync = await terminal.ReadFrameAsync(Wait);

        Assert.Equal((0x07, Gb32960ResponseFlags.Success, 0), (heartbeat.Command, heartbeat.ResponseFlag, heartbeat.DataLength));
        Assert.NotNull(sync);
        Assert.Equal(31, sync.Length);
        var now = GbTime.Read(sync.AsSpan(24)).ToDateTimeOffset();
        Assert.NotNull(now);
        Assert.InRange(now.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Sticky_and_half_frames_across_segments_are_all_acknowledged_and_stored_in_order()
    {
        await using var server = await TestServer.StartAsync();
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        var login = Support.Frames.Login(VinA);
        var realtime = Support.Frames.Realtime(VinA);
        var reissue = Support.Frames.Reissue(VinA);

        await terminal.SendAsync([.. login, .. realtime, .. reissue]);     // three frames in one segment
        await terminal.SendInPiecesAsync([.. realtime, .. reissue], 7, TimeSpan.FromMilliseconds(2)); // 7-byte halves

        var replies = new List<byte>();
        for (int i = 0; i < 5; i++)
        {
            var reply = await terminal.ReadFrameAsync(Wait);
            Assert.NotNull(reply);
            replies.Add(reply[2]);
        }
        Assert.Equal([0x01, 0x02, 0x03, 0x02, 0x03], replies);
        var stored = Frames(await server.ReadSpoolAsync(expectAtLeast: 5));
        Assert.Equal([login, realtime, reissue, realtime, reissue], stored);
    }

    [Fact]
    public async Task Junk_and_a_checksum_error_mid_stream_are_dropped_and_counted_while_the_connection_survives()
    {
        await using var server = await TestServer.StartAsync();
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        var realtime = Support.Frames.Realtime(VinA);
        var corrupt = (byte[])realtime.Clone();
        corrupt[30] ^= 0x5A;

        await terminal.SendAsync([.. Support.Frames.Login(VinA), 0x00, 0x13, 0x37, .. corrupt, .. realtime]);

        Assert.Equal(0x01, (await terminal.ReadFrameAsync(Wait))![2]);
        Assert.Equal(0x02, (await terminal.ReadFrameAsync(Wait))![2]);
        var stored = Frames(await server.ReadSpoolAsync(expectAtLeast: 2));
        Assert.Equal(2, stored.Count);
        Assert.Equal(realtime, stored[1]);
        var metrics = await server.GetMetricsAsync();
        Assert.Equal(1, TestServer.MetricValue(metrics, "ingest_decode_errors", "kind=\"checksum\""));
        Assert.Equal(1, TestServer.MetricValue(metrics, "ingest_decode_errors", "kind=\"junk\""));
    }

    [Fact]
    public async Task A_declared_length_above_the_maximum_is_dropped_and_later_frames_are_stored()
    {
        await using var server = await TestServer.StartAsync(new() { ["Ingest:Listeners:0:MaxFrameBytes"] = "256" });
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        var oversized = Support.Frames.Gb(0x02, VinA, new byte[400]);

        await terminal.SendAsync([.. Support.Frames.Login(VinA), .. oversized, .. Support.Frames.Realtime(VinA)]);

        Assert.Equal(0x01, (await terminal.ReadFrameAsync(Wait))![2]);
        Assert.Equal(0x02, (await terminal.ReadFrameAsync(Wait))![2]);
        Assert.Equal(2, (await server.ReadSpoolAsync(expectAtLeast: 2)).Count);
        Assert.Equal(1, TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_decode_errors", "kind=\"length\""));
    }

    [Fact]
    public async Task A_frame_for_another_vin_on_a_bound_connection_is_rejected_counted_and_not_answered()
    {
        await using var server = await TestServer.StartAsync();
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await terminal.SendAsync(Support.Frames.Login(VinA));
        Assert.NotNull(await terminal.ReadFrameAsync(Wait));

        await terminal.SendAsync([.. Support.Frames.Realtime(VinB), .. Support.Frames.Heartbeat(VinA)]);

        var next = await terminal.ReadFrameAsync(Wait);
        Assert.Equal(0x07, next![2]); // the spoofed realtime got no answer; the heartbeat after it did
        var stored = Frames(await server.ReadSpoolAsync(expectAtLeast: 2));
        Assert.All(stored, f => Assert.Equal(VinA, Support.Frames.Header(f).Vin.ToString()));
        Assert.Equal(1, TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_frames_rejected", "reason=\"vin_mismatch\""));
    }

    [Fact]
    public async Task A_second_login_of_the_same_vin_closes_the_older_connection()
    {
        await using var server = await TestServer.StartAsync();
        await using var first = await TestTerminal.ConnectAsync(server.Port());
        await first.SendAsync(Support.Frames.Login(VinA));
        Assert.NotNull(await first.ReadFrameAsync(Wait));

        await using var second = await TestTerminal.ConnectAsync(server.Port());
        await second.SendAsync(Support.Frames.Login(VinA));
        Assert.NotNull(await second.ReadFrameAsync(Wait));

        Assert.True(await first.WaitForCloseAsync(Wait));
        await second.SendAsync(Support.Frames.Heartbeat(VinA));
        Assert.NotNull(await second.ReadFrameAsync(Wait)); // the newer one keeps working
    }

    [Fact]
    public async Task An_idle_connection_is_closed_after_the_idle_timeout()
    {
        await using var server = await TestServer.StartAsync(new() { ["Ingest:Listeners:0:IdleTimeout"] = "00:00:00.500" });
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await terminal.SendAsync(Support.Frames.Login(VinA));
        Assert.NotNull(await terminal.ReadFrameAsync(Wait));

        Assert.True(await terminal.WaitForCloseAsync(Wait));
        Assert.Equal(1, TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_connections_closed", "reason=\"idle\""));
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_closed_at_once_and_counted_while_the_others_keep_working()
    {
        await using var server = await TestServer.StartAsync(new() { ["Ingest:Listeners:0:MaxConnections"] = "2" });
        await using var a = await TestTerminal.ConnectAsync(server.Port());
        await using var b = await TestTerminal.ConnectAsync(server.Port());
        await a.SendAsync(Support.Frames.Heartbeat(VinA));
        await b.SendAsync(Support.Frames.Heartbeat(VinB));
        Assert.NotNull(await a.ReadFrameAsync(Wait));
        Assert.NotNull(await b.ReadFrameAsync(Wait));

        await using var c = await TestTerminal.ConnectAsync(server.Port());

        Assert.True(await c.WaitForCloseAsync(Wait));
        Assert.Equal(1, TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_connections_refused"));
        await a.SendAsync(Support.Frames.Heartbeat(VinA));
        Assert.NotNull(await a.ReadFrameAsync(Wait));
    }

    [Fact]
    public async Task Logout_is_acknowledged_and_then_the_server_closes_the_connection()
    {
        await using var server = await TestServer.StartAsync();
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await terminal.SendAsync([.. Support.Frames.Login(VinA), .. Support.Frames.Logout(VinA)]);

        Assert.Equal(0x01, (await terminal.ReadFrameAsync(Wait))![2]);
        Assert.Equal(0x04, (await terminal.ReadFrameAsync(Wait))![2]);
        Assert.True(await terminal.WaitForCloseAsync(Wait));
    }

    [Fact]
    public async Task Gb17691_terminals_get_no_replies_but_every_frame_is_stored()
    {
        await using var server = await TestServer.StartAsync(new() { ["Ingest:Listeners:0:Protocol"] = "Gb17691" });
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());

        await terminal.SendAsync(Support.Frames.AnnexQRealtime);

        Assert.Null(await terminal.ReadFrameAsync(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(Support.Frames.AnnexQRealtime, Assert.Single(Frames(await server.ReadSpoolAsync(expectAtLeast: 1))));
    }

    [Fact]
    public async Task Frames_of_a_protocol_the_port_does_not_speak_are_junk_and_not_stored()
    {
        await using var server = await TestServer.StartAsync(new() { ["Ingest:Listeners:0:Protocol"] = "Hj1239" });
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());

        await terminal.SendAsync([.. Support.Frames.Login(VinA), .. Support.Frames.AnnexQRealtime]);

        Assert.NotNull(await terminal.ReadFrameAsync(Wait)); // the HJ frame is answered (HJ 1239 replies with the time)
        var stored = Frames(await server.ReadSpoolAsync(expectAtLeast: 1));
        Assert.Equal(Support.Frames.AnnexQRealtime, Assert.Single(stored));
    }
}
