using System.Buffers;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Ingest.Downlink;
using Ingest.Http.Security;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Primitives;
using Ingest.Records;
using Ingest.Sinks.Redis;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingest.Tests.Downlink;

/// <summary>
/// <c>POST /vehicles/{vin}/commands</c> on the real server, against simulated terminals over real sockets that speak
/// the protocol: they read the command frame off the wire and answer, refuse, or stay silent.
/// </summary>
[Collection(Ingest.Tests.SystemTests.ProcessWideMetrics.Name)] // exact totals on /metrics
public class DownlinkCommandTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>rtm_con #1: a 2025 ("$$") login data unit with one pack code.</summary>
    private static readonly byte[] Login2025Data = Convert.FromHexString(
        "190A1B140202000C3839383630393234373930303233313636363036010130524A50454130304841553041414631333130303139353596"[..^2]);

    [Fact]
    public async Task A_2016_terminal_answering_a_query_gets_its_parameters_decoded_and_its_answer_is_stored_but_never_acknowledged()
    {
        const string vin = "LDOWN201600000001";
        await using var server = await TestServer.StartAsync();
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await LoginAsync(terminal, Frames.Login(vin));
        using var admin = await server.CreateHttpClientAsync();

        var posting = admin.PostAsJsonAsync($"/vehicles/{vin}/commands", new { command = "query", parameters = new object[] { "report_period_s", "0x09" } });
        var command = await ReadCommandAsync(terminal);
        Assert.Equal((Gb32960Command.ParameterQuery, Gb32960ResponseFlags.Command, FrameMarker.Hash),
            (command.Header.Command, command.Header.ResponseFlag, command.Header.Marker));
        Assert.True(Gb32960Decoder.TryDecode(command.Bytes, out var decoded, out _));
        Assert.Equal(new byte[] { 0x02, 0x09 }, Assert.IsType<ParameterQuery>(decoded.Body).Ids);

        // time, count 2, report period WORD 30 s, heartbeat BYTE 10 s
        var answer = Answer(command.Header, Gb32960ResponseFlags.Success, [.. TimeBytes(), 2, 0x02, 0x00, 30, 0x09, 10]);
        await terminal.SendAsync(answer);
        using var response = await posting;
        var body = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("accepted", body.GetProperty("outcome").GetString());
        Assert.Equal("gb32960_2016", body.GetProperty("protocol").GetString());
        Assert.Equal("success", body.GetProperty("answer").GetProperty("response_flag").GetString());
        Assert.True(body.GetProperty("answer").GetProperty("stored").GetBoolean());
        var parameters = body.GetProperty("answer").GetProperty("frame").GetProperty("parameters");
        Assert.Equal(30, parameters.GetProperty("report_period_s").GetInt32());
        Assert.Equal(10, parameters.GetProperty("heartbeat_period_s").GetInt32());
        Assert.Equal(Convert.ToHexString(command.Bytes), body.GetProperty("sent_hex").GetString());

        // Not acknowledged: the next frame the terminal gets is the reply to the heartbeat it sends after its answer.
        await terminal.SendAsync(Frames.Heartbeat(vin));
        var next = await terminal.ReadFrameAsync(Wait);
        Assert.NotNull(next);
        Assert.Equal(Gb32960Command.Heartbeat, Frames.Header(next).Command);

        // Stored as received, for the trail of what the terminal said.
        var stored = SpooledFrames(await server.ReadSpoolAsync(expectAtLeast: 3));
        Assert.Contains(stored, f => f.AsSpan().SequenceEqual(answer));

        var metrics = await server.GetMetricsAsync();
        Assert.Equal(1, TestServer.MetricValue(metrics, "ingest_commands_sent", "protocol=\"gb32960_2016\"", "command=\"query\""));
        Assert.Equal(1, TestServer.MetricValue(metrics, "ingest_commands_results", "command=\"query\"", "outcome=\"accepted\""));
        Assert.Equal(1, TestServer.MetricValue(metrics, "ingest_commands_latency_seconds_count", "outcome=\"accepted\""));
    }

    [Fact]
    public async Task A_2025_terminal_gets_the_command_in_its_own_edition_and_its_negative_flag_is_a_refusal()
    {
        const string vin = "LDOWN202500000001";
        await using var server = await TestServer.StartAsync();
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await LoginAsync(terminal, Frames.Gb(0x01, vin, Login2025Data, FrameMarker.Dollar));
        using var admin = await server.CreateHttpClientAsync();

        var posting = admin.PostAsJsonAsync($"/vehicles/{vin}/commands",
            new { command = "set", parameters = new Dictionary<string, object> { ["report_period_s"] = 10, ["platform_domain"] = "ev.example.com" } });
        var command = await ReadCommandAsync(terminal);
        Assert.Equal((Gb32960Command.ParameterSet, FrameMarker.Dollar), (command.Header.Command, command.Header.Marker));
        Assert.True(Gb32960Decoder.TryDecode(command.Bytes, out var decoded, out _));
        Assert.Equal(Gb32960Edition.V2025, decoded.Edition);
        var set = Assert.IsType<ParameterSet>(decoded.Body);
        Assert.Equal("ev.example.com", set.Parameters.Single(p => p.Id == Gb32960ParameterId.PlatformDomain).Text);

        // 0x06 "structure invalid" is one of the flags the 2025 edition adds.
        await terminal.SendAsync(Answer(command.Header, Gb32960ResponseFlags.StructureInvalid, TimeBytes()));
        using var response = await posting;
        var body = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("refused", body.GetProperty("outcome").GetString());
        Assert.Equal("gb32960_2025", body.GetProperty("protocol").GetString());
        Assert.Equal("structure_invalid", body.GetProperty("answer").GetProperty("response_flag").GetString());
        Assert.Equal("2025", body.GetProperty("answer").GetProperty("frame").GetProperty("edition").GetString());
    }

    [Fact]
    public async Task A_terminal_that_never_answers_times_out_with_504_and_its_late_answer_is_stored_counted_and_reaches_nobody()
    {
        const string vin = "LDOWNSILENT000001";
        await using var server = await TestServer.StartAsync();
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await LoginAsync(terminal, Frames.Login(vin));
        using var admin = await server.CreateHttpClientAsync();

        using var response = await admin.PostAsJsonAsync($"/vehicles/{vin}/commands", new { command = "control", control = "reset", timeout_s = 1 });
        var body = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("timeout", body.GetProperty("outcome").GetString());
        var command = await ReadCommandAsync(terminal); // it was written all the same
        Assert.Equal(Gb32960Command.TerminalControl, command.Header.Command);

        var late = Answer(command.Header, Gb32960ResponseFlags.Success, TimeBytes());
        await terminal.SendAsync(late);
        await Eventually.TrueAsync(async () => TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_commands_unsolicited") == 1,
            "the late answer is counted");
        Assert.Contains(SpooledFrames(await server.ReadSpoolAsync(expectAtLeast: 2)), f => f.AsSpan().SequenceEqual(late));
        Assert.Equal(1, TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_commands_results", "outcome=\"timeout\""));

        // The vehicle is free again: the next command goes out.
        var posting = admin.PostAsJsonAsync($"/vehicles/{vin}/commands", new { command = "control", control = "reset" });
        var again = await ReadCommandAsync(terminal);
        await terminal.SendAsync(Answer(again.Header, Gb32960ResponseFlags.Success, TimeBytes()));
        Assert.Equal(HttpStatusCode.OK, (await posting).StatusCode);
    }

    [Fact]
    public async Task A_second_command_while_one_waits_is_busy_and_a_connection_that_ends_first_is_a_502()
    {
        const string vin = "LDOWNBUSY00000001";
        await using var server = await TestServer.StartAsync();
        var terminal = await TestTerminal.ConnectAsync(server.Port());
        await LoginAsync(terminal, Frames.Login(vin));
        using var admin = await server.CreateHttpClientAsync();

        var first = admin.PostAsJsonAsync($"/vehicles/{vin}/commands", new { command = "query", parameters = new[] { 2 } });
        await ReadCommandAsync(terminal); // the first is on the wire and waiting
        using (var second = await admin.PostAsJsonAsync($"/vehicles/{vin}/commands", new { command = "control", control = "power_off" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
            Assert.Equal("busy", (await JsonAsync(second)).GetProperty("outcome").GetString());
        }

        await terminal.DisposeAsync();
        using var response = await first;
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("disconnected", (await JsonAsync(response)).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task An_offline_vehicle_is_a_409_and_one_the_live_state_places_on_another_node_is_a_421_naming_it()
    {
        await using var redis = await RedisTestStore.CreateAsync();
        var settings = SystemSettings.For(SystemSettings.UniqueNode("cmd"), redis: redis);
        await using var server = await TestServer.StartAsync(settings);
        using var admin = await server.CreateHttpClientAsync();
        const string elsewhere = "LDOWNELSEWHERE001";
        var seen = DateTimeOffset.UtcNow;
        await redis.Store.ApplyAsync(new[] { new StateUpdate { Vin = Vin.Parse(elsewhere), ReceivedAt = seen, Node = "node-b", Protocol = "gb32960" } },
            CancellationToken.None);

        using (var offline = await admin.PostAsJsonAsync("/vehicles/LDOWNNOWHERE00001/commands", new { command = "control", control = "reset" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, offline.StatusCode);
            Assert.Equal("offline", (await JsonAsync(offline)).GetProperty("outcome").GetString());
        }
        using var other = await admin.PostAsJsonAsync($"/vehicles/{elsewhere}/commands", new { command = "control", control = "reset" });
        var body = await JsonAsync(other);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, other.StatusCode);
        Assert.Equal("other_node", body.GetProperty("outcome").GetString());
        Assert.Equal("node-b", body.GetProperty("node").GetString());
        Assert.True(body.TryGetProperty("last_seen", out _));
    }

    [Fact]
    public async Task An_hj1239_terminal_answers_a_query_or_stays_silent_and_set_and_control_are_not_in_its_protocol()
    {
        const string vin = "LDOWNHJ1239000001";
        await using var server = await TestServer.StartAsync(new() { ["Ingest:Listeners:0:Protocol"] = "Hj1239" });
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await LoginAsync(terminal, Sessions.AdmissionTests.HjLogin(vin, "89860000000000000001"));
        using var admin = await server.CreateHttpClientAsync();

        var posting = admin.PostAsJsonAsync($"/vehicles/{vin}/commands", new { command = "query" });
        var command = await ReadCommandAsync(terminal);
        Assert.Equal((HeaderLayout.Hj1239, (byte)0x80, (byte)0x01), (command.Header.Layout, command.Header.Command, command.Header.SoftwareVersion));
        Assert.Equal(GbTime.Size, command.Header.DataLength);

        var answer = HjFrame(0x80, vin, [.. TimeBytes(), 0x01, 0x02, 0x03]);
        await terminal.SendAsync(answer);
        using (var response = await posting)
        {
            var body = await JsonAsync(response);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("accepted", body.GetProperty("outcome").GetString());
            Assert.Equal("hj1239", body.GetProperty("protocol").GetString());
            Assert.Equal(Convert.ToHexString(answer), body.GetProperty("answer").GetProperty("hex").GetString());
        }
        // HJ 1239 answers the uplinks it knows with the time; the terminal's answer to our query is not one of them.
        await terminal.SendAsync(HjFrame(HjTimeSync, vin, []));
        Assert.Equal(HjTimeSync, Frames.Header((await terminal.ReadFrameAsync(Wait))!).Command);

        using (var silent = await admin.PostAsJsonAsync($"/vehicles/{vin}/commands", new { command = "query", timeout_s = 1 }))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, silent.StatusCode);
        }
        foreach (var unsupported in new object[] { new { command = "set", parameters = new { report_period_s = 10 } }, new { command = "control", control = "reset" } })
        {
            using var response = await admin.PostAsJsonAsync($"/vehicles/{vin}/commands", unsupported);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("not_supported", (await JsonAsync(response)).GetProperty("outcome").GetString());
        }
    }

    private const byte HjTimeSync = 0x05;

    private static byte[] HjFrame(byte command, string vin, byte[] data)
    {
        var header = new FrameHeader(FrameMarker.Hash, HeaderLayout.Hj1239, command, 0, Vin.Parse(vin), 0x01, Gb32960Encryption.None, data.Length);
        var frame = new byte[FrameHeader.Overhead + data.Length];
        FrameEncoding.Write(frame, header, data);
        return frame;
    }

    [Fact]
    public async Task Commands_need_the_admin_scope_a_bad_body_is_a_400_naming_the_field_and_every_request_is_audited()
    {
        var capture = new LogCapture();
        await using var server = await TestServer.StartAsync(new() { ["Logging:LogLevel:Ingest.Audit"] = "Information" },
            services: s => s.AddSingleton<ILoggerProvider>(capture));
        const string vin = "LDOWNAUDIT0000001";
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await LoginAsync(terminal, Frames.Login(vin));
        using var admin = await server.CreateHttpClientAsync();
        using var reader = await server.CreateHttpClientAsync(await server.CreateApiKeyAsync("test-admin", ApiScopes.StateRead, ApiScopes.HistoryRead,
            ApiScopes.RegistryWrite));
        using var anonymous = new HttpClient { BaseAddress = server.HttpBase };
        var reset = new { command = "control", control = "reset" };

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync($"/vehicles/{vin}/commands", reset)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync($"/vehicles/{vin}/commands", reset)).StatusCode);

        using (var invalid = await admin.PostAsJsonAsync($"/vehicles/{vin}/commands", new { command = "set", parameters = new { heartbeat_period_s = 999 } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            var problem = await JsonAsync(invalid);
            Assert.Contains("BYTE", problem.GetProperty("errors").GetProperty("parameters.heartbeat_period_s")[0].GetString(), StringComparison.Ordinal);
        }
        using (var notJson = await admin.PostAsync($"/vehicles/{vin}/commands", new StringContent("{", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        }

        var posting = admin.PostAsJsonAsync($"/vehicles/{vin}/commands", new { command = "control", control = "alarm", alarm = new { level = 1, text = "tyre" } });
        var command = await ReadCommandAsync(terminal);
        await terminal.SendAsync(Answer(command.Header, Gb32960ResponseFlags.Success, TimeBytes()));
        Assert.Equal(HttpStatusCode.OK, (await posting).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/vehicles/LDOWNNOWHERE00002/commands", reset)).StatusCode);

        var sent = Assert.Single(capture.Events(AuditLog.Category, 1819));
        Assert.Equal(vin, sent.Fields["Vin"]);
        Assert.Equal("accepted", sent.Fields["Outcome"]);
        Assert.Equal("control alarm level 1 'tyre'", sent.Fields["What"]);
        Assert.Equal("test-test-admin", sent.Fields["ActorName"]);
        var notSent = capture.Events(AuditLog.Category, 1818).ToList();
        Assert.Equal(["invalid", "invalid", "offline"], notSent.Select(e => (string?)e.Fields["Outcome"]));
    }

    [Fact]
    public async Task Acknowledgements_and_commands_written_to_one_connection_at_once_never_interleave()
    {
        const string vin = "LDOWNCONCURRENT01";
        const int Realtimes = 2000, Commands = 50, PerSend = 20;
        await using var server = await TestServer.StartAsync();
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await LoginAsync(terminal, Frames.Login(vin));
        using var admin = await server.CreateHttpClientAsync();
        var sending = new SemaphoreSlim(1, 1);
        async Task SendAsync(byte[] frame)
        {
            await sending.WaitAsync();
            try
            {
                await terminal.SendAsync(frame);
            }
            finally
            {
                sending.Release();
            }
        }

        // The terminal: acknowledgements counted, every command answered; a frame the framer cannot read would throw.
        int acks = 0, commands = 0;
        var reading = Task.Run(async () =>
        {
            while (acks < Realtimes || commands < Commands)
            {
                var frame = await terminal.ReadFrameAsync(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException($"{acks} acks, {commands} commands");
                var header = Frames.Header(frame);
                if (header.Command == Gb32960Command.ParameterQuery)
                {
                    commands++;
                    await SendAsync(Answer(header, Gb32960ResponseFlags.Success, [.. TimeBytes(), 1, 0x09, 10]));
                }
                else if (header.Command == Gb32960Command.RealtimeReport)
                {
                    acks++;
                }
            }
        });
        var streaming = Task.Run(async () =>
        {
            // Many frames per send: each read is answered with a burst of acknowledgements, a wide window for a command to cut into.
            var burst = Enumerable.Range(0, PerSend).SelectMany(_ => Frames.Realtime(vin)).ToArray();
            for (int i = 0; i < Realtimes / PerSend; i++)
            {
                await SendAsync(burst);
            }
        });
        for (int i = 0; i < Commands; i++)
        {
            using var response = await admin.PostAsJsonAsync($"/vehicles/{vin}/commands", new { command = "query", parameters = new[] { 9 } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(10, (await JsonAsync(response)).GetProperty("answer").GetProperty("frame").GetProperty("parameters")
                .GetProperty("heartbeat_period_s").GetInt32());
        }
        await streaming;
        await reading;
        Assert.Equal((Realtimes, Commands), (acks, commands));
    }

    [Fact]
    public async Task A_command_waits_for_the_connections_writer_to_finish_before_it_writes()
    {
        const string vin = "LDOWNWRITER000001";
        await using var server = await TestServer.StartAsync();
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        await LoginAsync(terminal, Frames.Login(vin));
        using var admin = await server.CreateHttpClientAsync();
        Assert.True(server.Services.GetRequiredService<Ingest.Sessions.SessionRegistry>().TryGetByVin(Vin.Parse(vin), out var session));
        var dispatcher = server.Services.GetRequiredService<CommandDispatcher>();

        // Hold the writer's lock as the session loop does while it writes a read's acknowledgements.
        await session!.OutputLock.EnterAsync(CancellationToken.None);
        var posting = admin.PostAsJsonAsync($"/vehicles/{vin}/commands", new { command = "control", control = "reset" });
        await Eventually.TrueAsync(() => dispatcher.IsInFlight(Vin.Parse(vin)) && session.OutputLock.Waiting == 1, "the command waits for the writer",
            Wait);
        var acknowledgement = Frames.Heartbeat(vin); // any whole frame stands for the loop's writing
        session.Connection.Transport.Output.Write(acknowledgement);
        await session.Connection.Transport.Output.FlushAsync();
        session.OutputLock.Exit();

        Assert.Equal(acknowledgement, await terminal.ReadFrameAsync(Wait));
        var command = await ReadCommandAsync(terminal);
        Assert.Equal(Gb32960Command.TerminalControl, command.Header.Command);
        await terminal.SendAsync(Answer(command.Header, Gb32960ResponseFlags.Success, TimeBytes()));
        Assert.Equal(HttpStatusCode.OK, (await posting).StatusCode);
    }

    private static async Task LoginAsync(TestTerminal terminal, byte[] login)
    {
        await terminal.SendAsync(login);
        var reply = await terminal.ReadFrameAsync(Wait);
        Assert.NotNull(reply);
        if (Frames.Header(reply).Layout == HeaderLayout.Gb32960)
        {
            Assert.Equal(Gb32960ResponseFlags.Success, Frames.Header(reply).ResponseFlag);
        }
    }

    private static async Task<(FrameHeader Header, byte[] Bytes)> ReadCommandAsync(TestTerminal terminal)
    {
        var frame = await terminal.ReadFrameAsync(Wait);
        Assert.NotNull(frame);
        return (Frames.Header(frame), frame);
    }

    /// <summary>The terminal's answer to <paramref name="command"/>: same marker, command and VIN, the given flag.</summary>
    private static byte[] Answer(in FrameHeader command, byte flag, byte[] data)
    {
        var header = new FrameHeader(command.Marker, HeaderLayout.Gb32960, command.Command, flag, command.Vin, 0, Gb32960Encryption.None, data.Length);
        var frame = new byte[FrameHeader.Overhead + data.Length];
        FrameEncoding.Write(frame, header, data);
        return frame;
    }

    private static byte[] TimeBytes()
    {
        var bytes = new byte[GbTime.Size];
        GbTime.FromDateTimeOffset(DateTimeOffset.UtcNow).Write(bytes);
        return bytes;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"{(int)response.StatusCode}: not JSON: {text}");
        }
    }

    private static List<byte[]> SpooledFrames(List<Ingest.Spool.SpoolRecord> records) =>
        records.Select(r => { Assert.True(FrameEnvelope.TryRead(r.Payload, out var e)); return e.Frame.ToArray(); }).ToList();
}
