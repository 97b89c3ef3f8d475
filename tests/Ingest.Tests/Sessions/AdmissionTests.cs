using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using Ingest.Records;
using Ingest.Registry;
using Ingest.Sessions;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Sessions;

/// <summary>
/// Admission against the real server and real terminal bytes: who a listener lets in under each policy, what a
/// refused terminal sees (the edition's login-failure reply, then the close), that nothing a refused terminal sent
/// reaches the spool, takeovers, and registry changes applied to live sessions.
/// </summary>
[Collection(Ingest.Tests.SystemTests.ProcessWideMetrics.Name)]
public sealed class AdmissionTests
{
    private const string Filed = "LFILEDVEHICLE0001";
    private const string Other = "LFILEDVEHICLE0002";
    private const string Unknown = "LUNKNOWNVEHIC0001";
    /// <summary>The ICCID inside <see cref="Frames.Login"/>'s data unit.</summary>
    private const string LoginIccid = "89860616020046379629";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly string _listener = "adm-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<TestServer> StartAsync(string? admission, params VehicleFiling[] filings)
    {
        var server = await TestServer.StartAsync(new()
        {
            ["Ingest:Admission"] = admission,
            ["Ingest:Listeners:0:Name"] = _listener,
        });
        if (filings.Length > 0)
        {
            await Registry(server).UpsertAsync(filings);
        }
        return server;
    }

    private static IVehicleRegistry Registry(TestServer server) => server.Services.GetRequiredService<IVehicleRegistry>();

    private static VehicleFiling Filing(string vin, string? iccid = LoginIccid) => new(vin, "oem-a", iccid);

    private async Task<double> RefusedAsync(TestServer server, string reason) =>
        TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_admission_refused_total", $"listener=\"{_listener}\"", $"reason=\"{reason}\"");

    [Fact]
    public async Task With_no_admission_setting_an_unknown_vin_gets_the_login_failure_reply_is_closed_and_nothing_is_stored()
    {
        await using var server = await StartAsync(admission: null, Filing(Filed));
        Assert.Equal(AdmissionPolicy.Registered, server.Listener().Admission);
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());

        var login = Frames.Login(Unknown);
        await terminal.SendAsync([.. login, .. Frames.Realtime(Unknown), .. Frames.Heartbeat(Unknown)]);

        var reply = await terminal.ReadFrameAsync(Wait);
        Assert.NotNull(reply);
        var header = Frames.Header(reply);
        Assert.Equal(((byte)0x01, Gb32960ResponseFlags.Error, Unknown), (header.Command, header.ResponseFlag, header.Vin.ToString()));
        Assert.Null(await terminal.ReadFrameAsync(TimeSpan.FromMilliseconds(300))); // one reply, to the login only
        Assert.True(await terminal.WaitForCloseAsync(Wait));
        Assert.Empty(await server.ReadSpoolAsync(timeout: TimeSpan.FromMilliseconds(300)));
        Assert.Equal(1, await RefusedAsync(server, "unknown_vin"));
        Assert.False(server.Services.GetRequiredService<SessionRegistry>().IsOnline(Vin.Parse(Unknown)));
    }

    [Fact]
    public async Task With_no_admission_setting_a_filed_vin_is_accepted_and_stored_unmarked()
    {
        await using var server = await StartAsync(admission: null, Filing(Filed));
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());

        await terminal.SendAsync(Frames.Login(Filed));
        var reply = Frames.Header((await terminal.ReadFrameAsync(Wait))!);
        Assert.Equal(Gb32960ResponseFlags.Success, reply.ResponseFlag);
        await terminal.SendAsync(Frames.Realtime(Filed));
        Assert.NotNull(await terminal.ReadFrameAsync(Wait));

        var stored = await server.ReadSpoolAsync(expectAtLeast: 2);
        Assert.Equal(2, stored.Count);
        Assert.All(stored, r =>
        {
            Assert.True(FrameEnvelope.TryRead(r.Payload, out var envelope));
            Assert.Equal(EnvelopeFlags.None, envelope.Flags & EnvelopeFlags.Unfiled);
        });
    }

    [Fact]
    public async Task A_first_realtime_frame_of_an_unknown_vin_is_refused_without_a_reply_and_not_stored()
    {
        await using var server = await StartAsync("Registered");
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());

        await terminal.SendAsync([.. Frames.Realtime(Unknown), .. Frames.Realtime(Unknown)]);

        Assert.True(await terminal.WaitForCloseAsync(Wait));
        Assert.Empty(await server.ReadSpoolAsync(timeout: TimeSpan.FromMilliseconds(300)));
        Assert.Equal(1, await RefusedAsync(server, "unknown_vin"));
    }

    [Fact]
    public async Task An_hj1239_login_of_an_unknown_vin_is_closed_without_an_answer_and_a_filed_one_is_answered()
    {
        await using var server = await TestServer.StartAsync(new()
        {
            ["Ingest:Admission"] = "registered-iccid",
            ["Ingest:Listeners:0:Name"] = _listener,
            ["Ingest:Listeners:0:Protocol"] = "Hj1239",
        });
        await Registry(server).UpsertAsync([Filing(Filed, "89860000000000000001")]);
        Assert.Equal(AdmissionPolicy.RegisteredIccid, server.Listener().Admission);

        await using (var stranger = await TestTerminal.ConnectAsync(server.Port()))
        {
            await stranger.SendAsync(HjLogin(Unknown, "89860000000000000001"));
            Assert.Null(await stranger.ReadFrameAsync(Wait)); // HJ 1239 has no failure reply: the close is the answer
        }
        await using (var wrongSim = await TestTerminal.ConnectAsync(server.Port()))
        {
            await wrongSim.SendAsync(HjLogin(Filed, "89860000000000000002"));
            Assert.Null(await wrongSim.ReadFrameAsync(Wait));
        }
        await using var vehicle = await TestTerminal.ConnectAsync(server.Port());
        await vehicle.SendAsync(HjLogin(Filed, "89860000000000000001"));
        Assert.NotNull(await vehicle.ReadFrameAsync(Wait));

        Assert.Single(await server.ReadSpoolAsync(expectAtLeast: 1));
        Assert.Equal(1, await RefusedAsync(server, "unknown_vin"));
        Assert.Equal(1, await RefusedAsync(server, "iccid_mismatch"));
    }

    [Fact]
    public async Task Under_registered_iccid_a_login_whose_iccid_is_not_the_filed_one_is_refused_and_the_filed_one_accepted()
    {
        await using var server = await StartAsync("RegisteredIccid", Filing(Filed, "89860000000000000001"), Filing(Other));
        await using (var wrong = await TestTerminal.ConnectAsync(server.Port()))
        {
            await wrong.SendAsync(Frames.Login(Filed)); // carries LoginIccid, not the filed ICCID
            Assert.Equal(Gb32960ResponseFlags.Error, Frames.Header((await wrong.ReadFrameAsync(Wait))!).ResponseFlag);
            Assert.True(await wrong.WaitForCloseAsync(Wait));
        }
        await using (var early = await TestTerminal.ConnectAsync(server.Port()))
        {
            await early.SendAsync(Frames.Realtime(Other)); // only a login carries the ICCID to check
            Assert.True(await early.WaitForCloseAsync(Wait));
        }
        await using var right = await TestTerminal.ConnectAsync(server.Port());
        await right.SendAsync(Frames.Login(Other));
        Assert.Equal(Gb32960ResponseFlags.Success, Frames.Header((await right.ReadFrameAsync(Wait))!).ResponseFlag);

        var stored = await server.ReadSpoolAsync(expectAtLeast: 1);
        Assert.Equal([Other], stored.Select(StoredVin));
        Assert.Equal(1, await RefusedAsync(server, "iccid_mismatch"));
        Assert.Equal(1, await RefusedAsync(server, "login_required"));
    }

    [Fact]
    public async Task A_takeover_attempt_that_fails_admission_leaves_the_connected_vehicle_up_and_is_counted()
    {
        await using var server = await StartAsync("RegisteredIccid", Filing(Filed));
        await using var vehicle = await TestTerminal.ConnectAsync(server.Port());
        await vehicle.SendAsync(Frames.Login(Filed));
        Assert.Equal(Gb32960ResponseFlags.Success, Frames.Header((await vehicle.ReadFrameAsync(Wait))!).ResponseFlag);

        await using var attacker = await TestTerminal.ConnectAsync(server.Port());
        var forged = Frames.Gb(0x01, Filed, LoginDataWithIccid("89860000000000009999"));
        await attacker.SendAsync(forged);
        Assert.Equal(Gb32960ResponseFlags.Error, Frames.Header((await attacker.ReadFrameAsync(Wait))!).ResponseFlag);
        Assert.True(await attacker.WaitForCloseAsync(Wait));

        Assert.False(await vehicle.WaitForCloseAsync(TimeSpan.FromMilliseconds(300)));
        await vehicle.SendAsync(Frames.Heartbeat(Filed));
        Assert.NotNull(await vehicle.ReadFrameAsync(Wait));
        var metrics = await server.GetMetricsAsync();
        Assert.Equal(1, TestServer.MetricValue(metrics, "ingest_admission_takeover_refused_total", $"listener=\"{_listener}\"", "reason=\"iccid_mismatch\""));
        var stored = await server.ReadSpoolAsync(expectAtLeast: 2); // the vehicle's login and heartbeat, nothing of the attacker's
        Assert.Equal(2, stored.Count);
        Assert.All(stored, r => Assert.Equal(Filed, StoredVin(r)));
        Assert.DoesNotContain(stored, r => FrameEnvelope.TryRead(r.Payload, out var e) && e.Frame.Span.SequenceEqual(forged));
    }

    [Fact]
    public async Task A_takeover_by_an_admitted_login_replaces_the_older_connection()
    {
        await using var server = await StartAsync("RegisteredIccid", Filing(Filed));
        await using var old = await TestTerminal.ConnectAsync(server.Port());
        await old.SendAsync(Frames.Login(Filed));
        Assert.NotNull(await old.ReadFrameAsync(Wait));

        await using var reconnected = await TestTerminal.ConnectAsync(server.Port());
        await reconnected.SendAsync(Frames.Login(Filed));
        Assert.Equal(Gb32960ResponseFlags.Success, Frames.Header((await reconnected.ReadFrameAsync(Wait))!).ResponseFlag);
        Assert.True(await old.WaitForCloseAsync(Wait));
    }

    [Fact]
    public async Task A_vehicle_removed_from_the_registry_is_disconnected_and_a_vehicle_added_is_admitted_at_its_next_login()
    {
        await using var server = await StartAsync("Registered", Filing(Filed));
        await using var vehicle = await TestTerminal.ConnectAsync(server.Port());
        await vehicle.SendAsync(Frames.Login(Filed));
        Assert.Equal(Gb32960ResponseFlags.Success, Frames.Header((await vehicle.ReadFrameAsync(Wait))!).ResponseFlag);
        await using (var early = await TestTerminal.ConnectAsync(server.Port()))
        {
            await early.SendAsync(Frames.Login(Other));
            Assert.Equal(Gb32960ResponseFlags.Error, Frames.Header((await early.ReadFrameAsync(Wait))!).ResponseFlag);
        }

        await Registry(server).RemoveAsync([Filed]);
        Assert.True(await vehicle.WaitForCloseAsync(Wait));
        await Registry(server).UpsertAsync([Filing(Other)]);

        await using var added = await TestTerminal.ConnectAsync(server.Port());
        await added.SendAsync(Frames.Login(Other));
        Assert.Equal(Gb32960ResponseFlags.Success, Frames.Header((await added.ReadFrameAsync(Wait))!).ResponseFlag);
        await using var removed = await TestTerminal.ConnectAsync(server.Port());
        await removed.SendAsync(Frames.Login(Filed));
        Assert.Equal(Gb32960ResponseFlags.Error, Frames.Header((await removed.ReadFrameAsync(Wait))!).ResponseFlag);
        Assert.Equal([Filed, Other], (await server.ReadSpoolAsync(expectAtLeast: 2)).Select(StoredVin));
        var closed = TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_connections_closed_total", $"listener=\"{_listener}\"", "reason=\"unfiled\"");
        Assert.Equal(1, closed);
    }

    [Fact]
    public async Task An_open_listener_admits_an_unknown_vin_and_marks_its_frames_unfiled_until_it_is_filed()
    {
        await using var server = await StartAsync("Open", Filing(Filed));
        await using var stranger = await TestTerminal.ConnectAsync(server.Port());
        await using var vehicle = await TestTerminal.ConnectAsync(server.Port());
        await stranger.SendAsync(Frames.Login(Unknown));
        Assert.Equal(Gb32960ResponseFlags.Success, Frames.Header((await stranger.ReadFrameAsync(Wait))!).ResponseFlag);
        await vehicle.SendAsync(Frames.Login(Filed));
        Assert.NotNull(await vehicle.ReadFrameAsync(Wait));
        var before = await server.ReadSpoolAsync(expectAtLeast: 2);

        await Registry(server).UpsertAsync([Filing(Unknown)]);
        await stranger.SendAsync(Frames.Realtime(Unknown));
        Assert.NotNull(await stranger.ReadFrameAsync(Wait));

        var stored = await server.ReadSpoolAsync(expectAtLeast: 3);
        Assert.Equal([(Unknown, true), (Filed, false), (Unknown, false)], stored.Select(r => (StoredVin(r), IsUnfiled(r))));
        Assert.Equal(2, before.Count);
    }

    [Fact]
    public async Task Frames_of_an_unfiled_vehicle_are_stored_in_ClickHouse_with_admitted_0_and_a_filed_one_with_1()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        await using var server = await TestServer.StartAsync(SystemSettings.For(SystemSettings.UniqueNode("admitted"), db));
        await Registry(server).UpsertAsync([Filing(Filed)]);
        foreach (var vin in new[] { Filed, Unknown })
        {
            await using var terminal = await TestTerminal.ConnectAsync(server.Port(0));
            await terminal.SendAsync(Frames.Login(vin));
            Assert.NotNull(await terminal.ReadFrameAsync(Wait));
        }
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return await db.CountAsync("frames_raw") >= 2;
            }
            catch (ClickHouse.Driver.ClickHouseServerException)
            {
                return false; // the sink creates the database when it starts, which may be after the first look
            }
        }, "both logins in frames_raw", TimeSpan.FromSeconds(30));
        Assert.Equal(1, await db.ScalarAsync($"SELECT admitted FROM {db.Name}.frames_raw FINAL WHERE vin = '{Filed}'"));
        Assert.Equal(0, await db.ScalarAsync($"SELECT admitted FROM {db.Name}.frames_raw FINAL WHERE vin = '{Unknown}'"));
    }

    [Fact]
    public async Task A_listener_of_its_own_policy_overrides_the_node_default()
    {
        await using var server = await TestServer.StartAsync(new()
        {
            ["Ingest:Admission"] = "Registered",
            ["Ingest:Listeners:0:Name"] = _listener,
            ["Ingest:Listeners:0:Admission"] = "open",
            ["Ingest:Listeners:1:Address"] = "127.0.0.1",
            ["Ingest:Listeners:1:Port"] = "0",
        });
        Assert.Equal((AdmissionPolicy.Open, AdmissionPolicy.Registered), (server.Listener(0).Admission, server.Listener(1).Admission));
        await using var open = await TestTerminal.ConnectAsync(server.Port(0));
        await open.SendAsync(Frames.Login(Unknown));
        Assert.Equal(Gb32960ResponseFlags.Success, Frames.Header((await open.ReadFrameAsync(Wait))!).ResponseFlag);
        await using var closed = await TestTerminal.ConnectAsync(server.Port(1));
        await closed.SendAsync(Frames.Login(Unknown));
        Assert.Equal(Gb32960ResponseFlags.Error, Frames.Header((await closed.ReadFrameAsync(Wait))!).ResponseFlag);
    }

    [Fact]
    public async Task Logins_over_the_per_address_rate_are_closed_at_once_and_counted()
    {
        await using var server = await TestServer.StartAsync(new()
        {
            ["Ingest:Admission"] = "Open",
            ["Ingest:Listeners:0:Name"] = _listener,
            ["Ingest:RateLimits:LoginsPerSecondPerAddress"] = "0.001",
            ["Ingest:RateLimits:LoginBurstPerAddress"] = "2",
        });
        for (int i = 0; i < 2; i++)
        {
            await using var allowed = await TestTerminal.ConnectAsync(server.Port());
            await allowed.SendAsync(Frames.Login($"LRATELIMITED0000{i}"));
            Assert.Equal(Gb32960ResponseFlags.Success, Frames.Header((await allowed.ReadFrameAsync(Wait))!).ResponseFlag);
        }
        await using var third = await TestTerminal.ConnectAsync(server.Port());
        await third.SendAsync(Frames.Login("LRATELIMITED00002"));
        Assert.Equal(Gb32960ResponseFlags.Error, Frames.Header((await third.ReadFrameAsync(Wait))!).ResponseFlag);
        Assert.True(await third.WaitForCloseAsync(Wait));

        var metrics = await server.GetMetricsAsync();
        Assert.Equal(1, TestServer.MetricValue(metrics, "ingest_rate_limited_total", $"listener=\"{_listener}\"", "kind=\"login\"", "scope=\"address\""));
        Assert.Equal(2, (await server.ReadSpoolAsync(expectAtLeast: 2)).Count);
    }

    [Fact]
    public async Task Connections_over_the_per_address_rate_are_closed_at_once_and_counted()
    {
        await using var server = await TestServer.StartAsync(new()
        {
            ["Ingest:Admission"] = "Open",
            ["Ingest:Listeners:0:Name"] = _listener,
            ["Ingest:RateLimits:ConnectionsPerSecondPerAddress"] = "0.001",
            ["Ingest:RateLimits:ConnectionBurstPerAddress"] = "1",
        });
        await using var first = await TestTerminal.ConnectAsync(server.Port());
        await first.SendAsync(Frames.Login(Unknown));
        Assert.NotNull(await first.ReadFrameAsync(Wait));
        await using var second = await TestTerminal.ConnectAsync(server.Port());
        Assert.True(await second.WaitForCloseAsync(Wait));

        var metrics = await server.GetMetricsAsync();
        Assert.Equal(1, TestServer.MetricValue(metrics, "ingest_rate_limited_total", $"listener=\"{_listener}\"", "kind=\"connect\"", "scope=\"address\""));
    }

    [Fact]
    public async Task A_bad_admission_value_is_refused_at_start()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(new() { ["Ingest:Admission"] = "sometimes" }));
        Assert.Contains("sometimes", error.ToString());
    }

    [Fact]
    public async Task The_csv_named_by_Registry_ImportCsv_is_merged_at_start_and_its_vehicles_are_admitted()
    {
        string csv = Path.Combine(Path.GetTempPath(), "ingest-tests", $"fleet-{Guid.NewGuid():N}.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(csv)!);
        await File.WriteAllTextAsync(csv, $"vin,tenant,iccid\n{Filed},oem-a,{LoginIccid}\n");
        try
        {
            await using var server = await TestServer.StartAsync(new()
            {
                ["Ingest:Admission"] = null,
                ["Registry:ImportCsv"] = csv,
            });
            Assert.True(Registry(server).TryGet(Filed, out _));
            await using var vehicle = await TestTerminal.ConnectAsync(server.Port());
            await vehicle.SendAsync(Frames.Login(Filed));
            Assert.Equal(Gb32960ResponseFlags.Success, Frames.Header((await vehicle.ReadFrameAsync(Wait))!).ResponseFlag);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public async Task A_bad_row_in_Registry_ImportCsv_stops_the_server_with_one_line_and_exit_code_2()
    {
        string folder = Path.Combine(Path.GetTempPath(), "ingest-tests", "import-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string csv = Path.Combine(folder, "fleet.csv");
        await File.WriteAllTextAsync(csv, $"vin,tenant\n{Filed},oem-a\nLBADVIN,oem-a\n");
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["Ingest:HttpUrl"] = $"http://127.0.0.1:{IngestProcess.FreePort()}",
                ["Ingest:Listeners:0:Address"] = "127.0.0.1",
                ["Ingest:Listeners:0:Port"] = IngestProcess.FreePort().ToString(),
                ["Spool:Directory"] = Path.Combine(folder, "spool"),
                ["Registry:ImportCsv"] = csv,
                ["ClickHouse:Endpoint"] = "",
                ["Redis:Endpoint"] = "",
            };
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => IngestProcess.StartAsync(settings));
            Assert.Contains("exited with 2", error.Message);
            Assert.Contains($"ingest: configuration refused: Registry:ImportCsv: {csv} line 3 column 1 (vin): 'LBADVIN' is not 17 letters and digits", error.Message);
            Assert.DoesNotContain("   at ", error.Message);
            Assert.False(File.Exists(Path.Combine(folder, "spool", "registry.json")), "nothing of a bad file is imported");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string StoredVin(Ingest.Spool.SpoolRecord record)
    {
        Assert.True(FrameEnvelope.TryRead(record.Payload, out var envelope));
        return Frames.Header(envelope.Frame.ToArray()).Vin.ToString();
    }

    private static bool IsUnfiled(Ingest.Spool.SpoolRecord record)
    {
        Assert.True(FrameEnvelope.TryRead(record.Payload, out var envelope));
        return (envelope.Flags & EnvelopeFlags.Unfiled) != 0;
    }

    /// <summary>A GB/T 32960 login data unit (as <see cref="Frames.Login"/>'s) with another ICCID.</summary>
    private static byte[] LoginDataWithIccid(string iccid) =>
        [.. Convert.FromHexString("12061610150F001F"), .. System.Text.Encoding.ASCII.GetBytes(iccid), 0x01, 0x00];

    /// <summary>An HJ 1239 vehicle login: time(6), serial WORD, ICCID(20).</summary>
    internal static byte[] HjLogin(string vin, string iccid)
    {
        byte[] data = [.. Convert.FromHexString("1A0C05100000" + "0001"), .. System.Text.Encoding.ASCII.GetBytes(iccid)];
        var header = new FrameHeader(FrameMarker.Hash, HeaderLayout.Hj1239, 0x01, 0, Vin.Parse(vin), 0x01, 0x01, data.Length);
        var frame = new byte[FrameHeader.Overhead + data.Length];
        FrameEncoding.Write(frame, header, data);
        return frame;
    }
}
