using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ingest.Sinks.Redis;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using LoadGen.Fleet;
using LoadGen.Frames;
using Xunit.Abstractions;

namespace Ingest.Tests.SystemTests;

/// <summary>
/// The whole server in process with real ClickHouse and Redis, driven by the load generator's fleet (GB/T 32960
/// 2016 and 2025, HJ 1239) over real sockets: what the terminals had acknowledged must be what is stored, once.
/// </summary>
[Collection(ProcessWideMetrics.Name)]
public sealed class EndToEndTests(ITestOutputHelper output)
{
    /// <summary>Every acknowledged frame's rows, plus at most <paramref name="slack"/> rows of frames stored unanswered.</summary>
    private static void AssertRows(string vin, string what, long acknowledged, long stored, long slack) =>
        Assert.True(acknowledged <= stored && stored <= acknowledged + slack,
            $"{vin}: {acknowledged} acknowledged, {stored} {what} rows (at most {slack} more allowed)");

    private static readonly byte[] DataCommands = [Commands.Realtime, Commands.Reissue];

    [Fact]
    public async Task A_mixed_fleet_ends_up_in_clickhouse_exactly_once_in_redis_as_latest_state_and_in_the_metrics()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        await using var redis = await RedisTestStore.CreateAsync();
        string node = SystemSettings.UniqueNode("e2e");
        await using var server = await TestServer.StartAsync(SystemSettings.For(node, db, redis));

        var report = await FleetRunner.RunAsync(new FleetOptions
        {
            Terminals = 50,
            Protocols = ProtocolMix.Parse("gb2016=20,gb2025=15,hj1239=15"),
            Target = new IPEndPoint(IPAddress.Loopback, server.Port(0)),
            ProtocolTargets = new Dictionary<TerminalProtocol, IPEndPoint> { [TerminalProtocol.Hj1239] = new(IPAddress.Loopback, server.Port(1)) },
            Shape = new FrameShape { CellCount = 12, ProbeCount = 4 },
            RealtimeInterval = TimeSpan.FromMilliseconds(400),
            HeartbeatInterval = TimeSpan.FromMilliseconds(150),
            GapEvery = TimeSpan.FromSeconds(2),
            GapDuration = TimeSpan.FromMilliseconds(800),
            Duration = TimeSpan.FromSeconds(5),
            RampUpPerSecond = 100,
        });
        output.WriteLine($"fleet: {report.Counters.FramesSent} sent, {report.Counters.FramesAcknowledged} acknowledged, " +
            $"{report.Counters.Gaps} gaps, by command {string.Join(", ", report.Counters.AcknowledgedByCommand.Select(kv => $"{kv.Key} {kv.Value}"))}");
        // A gap cuts the link at once, like a tunnel: a frame in flight then gets no answer ("unanswered", at most one per
        // cut). It was never acknowledged, so it is outside the contract; any other error fails.
        long unanswered = report.Counters.Errors.GetValueOrDefault("unanswered");
        Assert.True(report.Counters.Errors.All(kv => kv.Key == "unanswered" || kv.Value == 0) && unanswered <= report.Counters.Gaps,
            $"fleet not clean: {report.Unacknowledged} unacknowledged, errors {JsonSerializer.Serialize(report.Counters.Errors)}");
        Assert.Equal(report.FramesExpectingAck - unanswered, report.Counters.FramesAcknowledged);
        var terminals = report.Terminals;
        Assert.Contains(terminals, t => t.Acknowledged(Commands.Reissue) > 0); // the gaps produced reissue data

        long acknowledged = terminals.Sum(t => t.AcknowledgedByCommand.Values.Sum());
        await Eventually.TrueAsync(async () => await StoredRows.CountOrMinusOneAsync(db, "frames_raw") >= acknowledged,
            $"{acknowledged} acknowledged frames in frames_raw", TimeSpan.FromSeconds(30));

        // frames_raw: every acknowledged frame once per VIN, read with FINAL and, after merging, without it.
        var raw = await StoredRows.CountByVinAsync(db, "frames_raw");
        await StoredRows.OptimizeFinalAsync(db, "frames_raw", "vehicle_samples", "emission_samples", "sessions");
        var rawMerged = await StoredRows.CountByVinAsync(db, "frames_raw", final: false);
        // A frame the server committed just as a gap cut the link is stored although its answer never arrived
        // ("unanswered", at most one per cut): stored may exceed acknowledged by those, never fall short of it.
        foreach (var t in terminals)
        {
            long expected = t.AcknowledgedByCommand.Values.Sum();
            long stored = raw.GetValueOrDefault(t.Vin), merged = rawMerged.GetValueOrDefault(t.Vin);
            Assert.True(expected <= stored && stored <= expected + unanswered, $"{t.Vin} ({t.Protocol}): {expected} acknowledged, {stored} in frames_raw FINAL");
            if (merged != stored)
            {
                Assert.Fail($"{t.Vin}: {stored} in frames_raw FINAL, {merged} after OPTIMIZE FINAL; its rows now:\n" +
                    await db.Database.QueryTextAsync(
                        $"SELECT node, spool_offset, received_at, command, hex(MD5(frame_bytes)), _part FROM {db.Database.Qualified("frames_raw")} " +
                        $"WHERE vin = '{t.Vin}' ORDER BY spool_offset, _part", CancellationToken.None));
            }
        }
        Assert.InRange(raw.Values.Sum(), acknowledged, acknowledged + unanswered); // nothing stored for a VIN the fleet does not have
        Assert.Equal(0, await StoredRows.DuplicateIdentitiesAsync(db, "frames_raw"));

        // Decoded rows: one vehicle sample per GB data frame, one emission sample per HJ item, one session row per login/logout.
        var samples = await StoredRows.CountByVinAsync(db, "vehicle_samples");
        var reissueSamples = await StoredRows.CountByVinAsync(db, "vehicle_samples", where: "is_reissue = 1");
        var emissions = await StoredRows.CountByVinAsync(db, "emission_samples");
        var logins = await StoredRows.CountByVinAsync(db, "sessions", where: "event = 'vehicle_login'");
        var logouts = await StoredRows.CountByVinAsync(db, "sessions", where: "event = 'vehicle_logout'");
        int hjItemsPerFrame = InfoMix.Hj1239Default.Items.Sum(i => i.Count);
        foreach (var t in terminals)
        {
            bool gb = t.Protocol is TerminalProtocol.Gb2016 or TerminalProtocol.Gb2025;
            long data = t.AcknowledgedOf(DataCommands);
            // As for frames_raw: a frame stored whose answer a gap cut off adds at most one row per unanswered frame.
            long slack = raw.GetValueOrDefault(t.Vin) - t.AcknowledgedByCommand.Values.Sum();
            AssertRows(t.Vin, "vehicle_samples", gb ? data : 0, samples.GetValueOrDefault(t.Vin), gb ? slack : 0);
            AssertRows(t.Vin, "reissue samples", gb ? t.Acknowledged(Commands.Reissue) : 0, reissueSamples.GetValueOrDefault(t.Vin), gb ? slack : 0);
            AssertRows(t.Vin, "emission_samples", gb ? 0 : data * hjItemsPerFrame, emissions.GetValueOrDefault(t.Vin), gb ? 0 : slack * hjItemsPerFrame);
            AssertRows(t.Vin, "logins", t.Acknowledged(Commands.Login), logins.GetValueOrDefault(t.Vin), slack);
            AssertRows(t.Vin, "logouts", t.Acknowledged(Commands.Logout), logouts.GetValueOrDefault(t.Vin), slack);
        }
        Assert.Equal(0, await StoredRows.DuplicateIdentitiesAsync(db, "emission_samples", withItemIndex: true));

        // Redis: each vehicle's latest state, logged out at the end, telemetry from its newest sample.
        var newestGb = await NewestAsync(db, "SELECT vin, toUnixTimestamp(max(device_time)) FROM {0} FINAL GROUP BY vin", "vehicle_samples");
        var newestHj = await NewestAsync(db, "SELECT vin, toUnixTimestamp(max(collection_time)) FROM {0} FINAL GROUP BY vin", "emission_samples");
        using var http = await server.CreateHttpClientAsync();
        await Eventually.TrueAsync(async () =>
            {
                // A terminal that was in a simulated coverage gap when the run ended never logged out: it stays online.
                foreach (var t in terminals.Where(t => t.Acknowledged(Commands.Logout) > 0))
                {
                    if (await StateAsync(http, t.Vin) is not { Online: false })
                    {
                        return false;
                    }
                }
                return true;
            }, "every vehicle's logout applied to Redis", TimeSpan.FromSeconds(30));
        foreach (var t in terminals)
        {
            var state = await StateAsync(http, t.Vin);
            Assert.NotNull(state);
            bool gb = t.Protocol is TerminalProtocol.Gb2016 or TerminalProtocol.Gb2025;
            bool loggedOut = t.Acknowledged(Commands.Logout) > 0;
            Assert.Equal((t.Vin, !loggedOut, node, gb ? "gb32960" : "hj1239"), (state.Vin, state.Online, state.Node, state.Protocol));
            Assert.Equal((t.Vin, (gb ? newestGb : newestHj)[t.Vin]), (t.Vin, state.DeviceTime?.ToUnixTimeSeconds()));
        }
        Assert.NotNull(await redis.Store.GetAsync(terminals[0].Vin, CancellationToken.None)); // really in Redis, under the test's prefix

        // Metrics: the frames the fleet sent, by protocol and command.
        var metrics = await server.GetMetricsAsync();
        Assert.Equal(report.Counters.FramesSent, TestServer.MetricValue(metrics, "ingest_frames_total"));
        foreach (var (protocol, label) in new[] { (TerminalProtocol.Gb2016, "gb32960_2016"), (TerminalProtocol.Gb2025, "gb32960_2025"), (TerminalProtocol.Hj1239, "hj1239") })
        {
            foreach (var command in new[] { Commands.Login, Commands.Realtime, Commands.Reissue, Commands.Logout, Commands.Heartbeat })
            {
                long sent = terminals.Where(t => t.Protocol == protocol).Sum(t => t.Sent(command));
                Assert.Equal((label, command, sent),
                    (label, command, (long)TestServer.MetricValue(metrics, "ingest_frames_total", $"protocol=\"{label}\"", $"command=\"0x{command:X2}\"")));
            }
        }
    }

    private static async Task<VehicleState?> StateAsync(HttpClient http, string vin)
    {
        using var response = await http.GetAsync($"/vehicles/{vin}/state");
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.Content.ReadFromJsonAsync<VehicleState>();
    }

    private static async Task<Dictionary<string, long>> NewestAsync(ClickHouseTestDatabase db, string sql, string table)
    {
        var text = await db.Database.QueryTextAsync(string.Format(sql, db.Database.Qualified(table)), CancellationToken.None);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .ToDictionary(p => p[0], p => long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
