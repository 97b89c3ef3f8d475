using System.Net;
using System.Net.Sockets;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using LoadGen.Frames;
using Xunit.Abstractions;

namespace Ingest.Tests.SystemTests;

/// <summary>
/// A login flood with random VINs that asks for more connections than the server process has descriptors: the server
/// runs under a small <c>RLIMIT_NOFILE</c> (the machine's 20,000 scaled down, so the run takes seconds), while a small
/// legitimate fleet keeps reporting. The node must refuse what it cannot hold, keep serving the vehicles it has, keep
/// committing to the spool (a segment roll or a cursor write needs a descriptor too), not spin on accept errors, and
/// lose nothing it acknowledged.
/// </summary>
[Collection(Ingest.Tests.SystemTests.ProcessWideMetrics.Name)] // exact totals on /metrics
public sealed class LoginFloodTests(ITestOutputHelper output)
{
    private const int ServerDescriptors = 1024;
    private const int FloodConnections = 1300;

    [Fact]
    public async Task A_flood_beyond_the_descriptor_limit_is_refused_while_connected_vehicles_keep_being_acknowledged_and_stored()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        string spoolDirectory = Path.Combine(Path.GetTempPath(), "ingest-tests", "flood-" + Guid.NewGuid().ToString("N"));
        var settings = SystemSettings.For(SystemSettings.UniqueNode("flood"), db, gbPort: IngestProcess.FreePort(), hjPort: IngestProcess.FreePort(),
            httpUrl: $"http://127.0.0.1:{IngestProcess.FreePort()}");
        settings["Spool:Directory"] = spoolDirectory;
        settings["Spool:SegmentBytes"] = "65536"; // segments roll during the flood: each roll needs a descriptor
        settings["Logging:LogLevel:Default"] = "Warning";
        var environment = settings.ToDictionary(kv => kv.Key, kv => kv.Value ?? "");
        int gbPort = int.Parse(environment["Ingest:Listeners:0:Port"]);
        var flood = new List<Socket>();
        var others = new List<SentFrame>(); // the flood's logins and the late vehicle's: stored once each when acknowledged
        try
        {
            await using var server = await IngestProcess.StartAsync(environment, ServerDescriptors);
            await using var fleet = RecordingFleet.Start(new RecordingFleetOptions
            {
                Terminals = [.. Enumerable.Range(0, 8).Select(i => (TerminalProtocol)(i % 3))],
                GbPort = gbPort,
                HjPort = int.Parse(environment["Ingest:Listeners:1:Port"]),
                FrameInterval = TimeSpan.FromMilliseconds(20),
                AckTimeout = TimeSpan.FromSeconds(5),
            });
            await Eventually.TrueAsync(() => fleet.Acknowledged >= 80, "the legitimate fleet is acknowledged before the flood", TimeSpan.FromSeconds(30));
            long linesBeforeFlood = server.LinesWritten;

            var outcomes = await FloodAsync(gbPort, flood, others);
            long acknowledgedDuringFlood = fleet.Acknowledged;
            await Task.Delay(TimeSpan.FromSeconds(2)); // the flood holds its connections; the fleet goes on
            output.WriteLine($"flood of {FloodConnections} random-VIN logins against {ServerDescriptors} descriptors: " +
                $"{outcomes.Acknowledged} acknowledged, {outcomes.Refused} refused or closed, {outcomes.Unanswered} unanswered; " +
                $"{server.LinesWritten - linesBeforeFlood} log lines meanwhile");

            Assert.False(server.HasExited, server.OutputTail());
            Assert.True(outcomes.Refused > 0, "more connections than descriptors cannot all be served");
            Assert.True(outcomes.Acknowledged < ServerDescriptors, $"{outcomes.Acknowledged} logins acknowledged with {ServerDescriptors} descriptors");
            Assert.True(fleet.Acknowledged >= acknowledgedDuringFlood + 50,
                $"the connected vehicles kept being acknowledged while the flood held every free slot ({acknowledgedDuringFlood} -> {fleet.Acknowledged})");
            Assert.True(server.LinesWritten - linesBeforeFlood < 400,
                $"{server.LinesWritten - linesBeforeFlood} log lines during the flood: the accept loop spins\n{server.OutputTail()}");

            CloseAll(flood);
            int attempt = 0;
            await Eventually.TrueAsync(async () =>
            {
                var (socket, outcome, login) = await LoginOnceAsync(gbPort, $"LFLOODLATE{++attempt:D7}");
                socket?.Dispose();
                others.Add(new SentFrame(login.Vin, TerminalProtocol.Gb2016, 0, login.Bytes, outcome == LoginOutcome.Acknowledged));
                return outcome == LoginOutcome.Acknowledged;
            }, "a vehicle connecting after the flood is served again", TimeSpan.FromSeconds(20));

            var sent = (await fleet.StopAsync()).Concat(others).ToList();
            var stored = await StoredRows.WaitForAcknowledgedAsync(db, sent, TimeSpan.FromSeconds(30));
            StoredRows.AssertExactlyOnce(sent, stored, "frames_raw FINAL (fleet, flood and late logins)");
            Assert.False(server.HasExited, server.OutputTail());
        }
        finally
        {
            CloseAll(flood);
            try
            {
                Directory.Delete(spoolDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private const int RandomVinLogins = 3000;

    /// <summary>
    /// The issue-9 flood: thousands of logins with random VINs against a node with no admission setting (so
    /// Registered) while three filed vehicles report. Every flood login gets the failure reply and is closed; the
    /// spool holds only the filed vehicles' frames, so ClickHouse and Redis hold nothing of the flood (they are fed
    /// from the spool alone) and the log grows by a bounded number of lines while the counters count every refusal.
    /// </summary>
    [Fact]
    public async Task A_flood_of_random_vin_logins_under_the_default_policy_leaves_nothing_but_counters_and_a_bounded_log()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        await using var redis = await RedisTestStore.CreateAsync();
        string folder = Path.Combine(Path.GetTempPath(), "ingest-tests", "regflood-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string[] filed = ["LFLOODFILED000001", "LFLOODFILED000002", "LFLOODFILED000003"];
        await File.WriteAllTextAsync(Path.Combine(folder, "fleet.csv"), "vin,tenant\n" + string.Concat(filed.Select(v => $"{v},oem-a\n")));
        var settings = SystemSettings.For(SystemSettings.UniqueNode("regflood"), db, redis, gbPort: IngestProcess.FreePort(),
            hjPort: IngestProcess.FreePort(), httpUrl: $"http://127.0.0.1:{IngestProcess.FreePort()}");
        settings.Remove("Ingest:Admission"); // the product default
        settings["Spool:Directory"] = Path.Combine(folder, "spool");
        settings["Registry:ImportCsv"] = Path.Combine(folder, "fleet.csv");
        int metricsPort = IngestProcess.FreePort();
        settings["Http:MetricsUrl"] = $"http://127.0.0.1:{metricsPort}"; // /metrics without a key
        settings["Logging:LogLevel:Default"] = "Warning";
        var environment = settings.ToDictionary(kv => kv.Key, kv => kv.Value ?? "");
        int gbPort = int.Parse(environment["Ingest:Listeners:0:Port"]);
        try
        {
            await using var server = await IngestProcess.StartAsync(environment);
            var vehicles = new List<Ingest.Tests.Support.TestTerminal>();
            foreach (var vin in filed)
            {
                var terminal = await Ingest.Tests.Support.TestTerminal.ConnectAsync(gbPort);
                await terminal.SendAsync(Frames.Login(vin));
                Assert.Equal(Ingest.Protocol.Framing.Gb32960ResponseFlags.Success, Frames.Header((await terminal.ReadFrameAsync(TimeSpan.FromSeconds(5)))!).ResponseFlag);
                vehicles.Add(terminal);
            }
            long linesBefore = server.LinesWritten;

            int failureReplies = 0, closedSilently = 0, accepted = 0;
            var random = new Random(32960);
            var floodVins = Enumerable.Range(0, RandomVinLogins).Select(_ => RandomVin(random)).ToList();
            for (int start = 0; start < RandomVinLogins; start += 200)
            {
                var wave = await Task.WhenAll(floodVins.Skip(start).Take(200).Select(vin => RefusedLoginAsync(gbPort, vin)));
                failureReplies += wave.Count(o => o == RefusedOutcome.FailureReply);
                closedSilently += wave.Count(o => o == RefusedOutcome.Closed);
                accepted += wave.Count(o => o == RefusedOutcome.Accepted);
                foreach (var (terminal, i) in vehicles.Select((t, i) => (t, i)))
                {
                    await terminal.SendAsync(Frames.Realtime(filed[i]));
                    Assert.NotNull(await terminal.ReadFrameAsync(TimeSpan.FromSeconds(5))); // the filed fleet is served throughout
                }
            }
            long floodLines = server.LinesWritten - linesBefore;
            output.WriteLine($"{RandomVinLogins} random-VIN logins: {failureReplies} failure replies, {closedSilently} closed without a reply, " +
                $"{accepted} accepted; {floodLines} log lines");

            Assert.Equal(0, accepted);
            Assert.Equal(RandomVinLogins, failureReplies + closedSilently);
            Assert.True(floodLines <= 60, $"{floodLines} log lines for {RandomVinLogins} refusals: the refusal log is not bounded\n{server.OutputTail()}");
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
            var metrics = await http.GetStringAsync("/metrics");
            Assert.Equal(RandomVinLogins, Ingest.Tests.Support.TestServer.MetricValue(metrics, "ingest_admission_refused_total", "listener=\"gb32960\""));

            // Every filed frame (3 logins + 3 per wave) is in ClickHouse; not one row or key of the flood anywhere.
            int filedFrames = filed.Length * (1 + RandomVinLogins / 200);
            await Eventually.TrueAsync(async () => await db.CountAsync("frames_raw") >= filedFrames, "the filed vehicles' frames in ClickHouse", TimeSpan.FromSeconds(30));
            Assert.Equal(filedFrames, await db.CountAsync("frames_raw"));
            Assert.Equal(filed.Length, await db.ScalarAsync($"SELECT uniqExact(vin) FROM {db.Name}.frames_raw"));
            var scanner = Ingest.Spool.SpoolScanner.Open(settings["Spool:Directory"]!);
            Assert.Equal(filedFrames, scanner.Read(0, long.MaxValue).Count());
            var keys = new List<string>();
            foreach (var endpoint in redis.Raw.GetEndPoints())
            {
                await foreach (var key in redis.Raw.GetServer(endpoint).KeysAsync(pattern: redis.Options.KeyPrefix + "*"))
                {
                    keys.Add(key.ToString());
                }
            }
            Assert.NotEmpty(keys); // the filed vehicles' state is there
            var strangers = keys.Where(k => floodVins.Any(v => k.Contains(v, StringComparison.Ordinal))).ToList();
            Assert.True(strangers.Count == 0, $"Redis keys of flood VINs: {string.Join(", ", strangers.Take(5))}");
            foreach (var vin in floodVins.Take(200))
            {
                Assert.Null(await redis.Db.SortedSetScoreAsync(redis.Store.Keys.Online(vin), vin));
            }
            foreach (var terminal in vehicles)
            {
                await terminal.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private enum RefusedOutcome { FailureReply, Closed, Accepted }

    private static async Task<RefusedOutcome> RefusedLoginAsync(int port, string vin)
    {
        await using var terminal = await Ingest.Tests.Support.TestTerminal.ConnectAsync(port);
        await terminal.SendAsync(Frames.Login(vin));
        var reply = await terminal.ReadFrameAsync(TimeSpan.FromSeconds(10));
        if (reply is null)
        {
            return RefusedOutcome.Closed;
        }
        var flag = Frames.Header(reply).ResponseFlag;
        if (flag == Ingest.Protocol.Framing.Gb32960ResponseFlags.Success)
        {
            return RefusedOutcome.Accepted;
        }
        Assert.Equal(Ingest.Protocol.Framing.Gb32960ResponseFlags.Error, flag);
        Assert.True(await terminal.WaitForCloseAsync(TimeSpan.FromSeconds(5)), "a refused login is closed");
        return RefusedOutcome.FailureReply;
    }

    private sealed record FloodOutcome(int Acknowledged, int Refused, int Unanswered);

    /// <summary>Opens the flood's connections 100 at a time, each sending one login with a random VIN, and keeps them open.</summary>
    private static async Task<FloodOutcome> FloodAsync(int port, List<Socket> keep, List<SentFrame> logins)
    {
        int acknowledged = 0, refused = 0, unanswered = 0;
        var random = new Random(1239);
        for (int start = 0; start < FloodConnections; start += 100)
        {
            var wave = Enumerable.Range(start, Math.Min(100, FloodConnections - start))
                .Select(_ => LoginOnceAsync(port, RandomVin(random)))
                .ToList();
            foreach (var (socket, outcome, login) in await Task.WhenAll(wave))
            {
                logins.Add(new SentFrame(login.Vin, TerminalProtocol.Gb2016, 0, login.Bytes, outcome == LoginOutcome.Acknowledged));
                if (socket is not null)
                {
                    keep.Add(socket);
                }
                switch (outcome)
                {
                    case LoginOutcome.Acknowledged: acknowledged++; break;
                    case LoginOutcome.Refused: refused++; break;
                    default: unanswered++; break;
                }
            }
        }
        return new FloodOutcome(acknowledged, refused, unanswered);
    }

    private enum LoginOutcome { Acknowledged, Refused, Unanswered }

    private static async Task<(Socket? Socket, LoginOutcome Outcome, (string Vin, byte[] Bytes) Login)> LoginOnceAsync(int port, string vin)
    {
        var login = (vin, Frames.Login(vin));
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
            await socket.SendAsync(login.Item2, SocketFlags.None, timeout.Token);
            var buffer = new byte[256];
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                socket.Dispose();
                return (null, LoginOutcome.Refused, login); // accepted and closed at once: over the limit
            }
            return (socket, LoginOutcome.Acknowledged, login);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return (null, LoginOutcome.Refused, login);
        }
        catch (OperationCanceledException)
        {
            return (socket, LoginOutcome.Unanswered, login); // held in the listen backlog: not served, not lost
        }
    }

    private static string RandomVin(Random random)
    {
        const string alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
        return string.Create(17, random, (span, r) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[r.Next(alphabet.Length)];
            }
        });
    }

    private static void CloseAll(List<Socket> sockets)
    {
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
        sockets.Clear();
    }
}
