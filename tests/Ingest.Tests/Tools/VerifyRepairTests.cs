using System.Globalization;
using System.Text.Json;
using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Records;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Spool;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Spool;
using Ingest.Tests.Support;
using Ingest.Tools;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Ingest.Tests.Tools;

/// <summary>
/// verify and repair against the real ClickHouse: records go through a real spool and the real sink; rows are then
/// deleted from ClickHouse (what a power loss does to parts it acknowledged but never flushed), verify must name
/// exactly those, repair must restore them, and a second repair must change nothing.
/// </summary>
public sealed class VerifyRepairTests(ITestOutputHelper log)
{
    private const string Node = "verify-node";
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Record i: login, GB realtime (raw + sample), GB 17691 realtime (raw + two emission items), in turn.</summary>
    private static byte[] Payload(int i)
    {
        var vin = $"LSVVERIFY{i % 5:D8}";
        var (frame, protocol) = (i % 3) switch
        {
            0 => (Frames.Login(vin), ListenerProtocol.Gb32960),
            1 => (Frames.Realtime(vin), ListenerProtocol.Gb32960),
            _ => (Frames.AnnexQRealtime, ListenerProtocol.Gb17691),
        };
        var payload = new byte[FrameEnvelope.SizeFor(frame.Length)];
        FrameEnvelope.WriteHeader(payload, protocol, T0.AddSeconds(i).AddMilliseconds(250).ToUnixTimeMilliseconds(), 1, 32960);
        frame.CopyTo(payload, FrameEnvelope.HeaderSize);
        return payload;
    }

    private static ClickHouseRowProjector Projector() => new(Options.Create(new IngestOptions { NodeName = Node }));

    /// <summary>
    /// A spool with <paramref name="count"/> records of which the sink delivered the first <paramref name="delivered"/>.
    /// With <paramref name="keepSegments"/> a consumer that never moves holds every segment (as a retention margin
    /// would); without it the spool deletes the segments the sink is past.
    /// </summary>
    private static async Task<List<long>> FillAndDeliverAsync(TempSpoolDirectory dir, ClickHouseTestDatabase db, int count, int? delivered = null,
        bool keepSegments = true)
    {
        var offsets = new List<long>();
        await using var spool = FileSpool.Open(dir.Options(segmentBytes: 4 * 1024));
        if (keepSegments)
        {
            await spool.OpenConsumer("hold").DisposeAsync();
        }
        // Started in order, committed together: offsets follow the order of the calls.
        var appends = Enumerable.Range(0, delivered ?? count).Select(i => spool.AppendCommittedAsync(Payload(i))).ToList();
        offsets.AddRange((await Task.WhenAll(appends)).Select(a => a.Offset));
        using var meters = new TestMeterFactory();
        var sink = new ClickHouseSink(spool, db.Database, Projector(), Options.Create(db.Options), new ClickHouseSinkMetrics(meters),
            NullLogger<ClickHouseSink>.Instance);
        await sink.StartAsync(CancellationToken.None);
        var end = spool.GetStats().NextOffset;
        await Eventually.TrueAsync(() => sink.CommittedOffset == end, "the sink delivered every record");
        await sink.StopAsync(CancellationToken.None);
        for (int i = delivered ?? count; i < count; i++)
        {
            offsets.Add((await spool.AppendCommittedAsync(Payload(i))).Offset);
        }
        return offsets;
    }

    /// <summary>ALTER TABLE ... DELETE (a mutation on 18.16), waited for: the rows vanish as after a lost part.</summary>
    private static async Task DeleteAsync(ClickHouseTestDatabase db, string table, string where)
    {
        await db.Database.ExecuteAsync($"ALTER TABLE {db.Database.Qualified(table)} DELETE WHERE {where}", CancellationToken.None);
        await Eventually.TrueAsync(async () => await db.ScalarAsync(
            $"SELECT count() FROM system.mutations WHERE database = {SqlLiteral.Quote(db.Name)} AND table = {SqlLiteral.Quote(table)} AND is_done = 0") == 0,
            $"the delete on {table} is done");
    }

    private static StorageVerifier Verifier(TempSpoolDirectory dir, ClickHouseTestDatabase db, bool includeUndelivered = false) =>
        new(SpoolScanner.Open(dir.Path), db.Database, Projector(), Node) { IncludeUndelivered = includeUndelivered, ChunkRecords = 25 };

    private static TableVerification Table(VerifyReport report, string name) => report.Tables.Single(t => t.Table == name);

    [Fact]
    public async Task Verify_names_exactly_the_deleted_rows_repair_restores_them_and_a_second_repair_changes_nothing()
    {
        using var dir = new TempSpoolDirectory();
        await using var db = await ClickHouseTestDatabase.CreateAsync(configure: o => o.FlushInterval = TimeSpan.FromMilliseconds(50));
        var offsets = await FillAndDeliverAsync(dir, db, 60);
        long[] lostFrames = [offsets[4], offsets[31], offsets[58]];
        long lostItem = offsets[44]; // record 44 is a GB 17691 realtime frame: its second item goes
        long lostSample = offsets[1];
        await DeleteAsync(db, "frames_raw", $"spool_offset IN ({string.Join(", ", lostFrames)})");
        await DeleteAsync(db, "emission_samples", $"spool_offset = {lostItem} AND item_index = 1");
        await DeleteAsync(db, "vehicle_samples", $"spool_offset = {lostSample}");

        var verified = await Verifier(dir, db).RunAsync(VerifyRange.All, repair: false, CancellationToken.None);

        Assert.Equal(60, verified.RecordsChecked);
        Assert.Equal(lostFrames, Table(verified, "frames_raw").MissingKeys.Select(k => k.SpoolOffset));
        Assert.Equal([new SpoolRowKey(lostItem, 1)], Table(verified, "emission_samples").MissingKeys);
        Assert.Equal([new SpoolRowKey(lostSample, 0)], Table(verified, "vehicle_samples").MissingKeys);
        Assert.Equal(0, Table(verified, "sessions").Missing);
        Assert.All(verified.Tables, t => Assert.Equal(0, t.Unexpected));
        Assert.Equal((60, 57), (Table(verified, "frames_raw").Expected, Table(verified, "frames_raw").Present));
        Assert.Equal(VerifyExitCodes.Missing, verified.ExitCode);

        var repaired = await Verifier(dir, db).RunAsync(VerifyRange.All, repair: true, CancellationToken.None);

        Assert.Equal(VerifyExitCodes.AllPresent, repaired.ExitCode);
        Assert.Equal(3, Table(repaired, "frames_raw").RepairedRows);
        Assert.Equal(2, Table(repaired, "emission_samples").RepairedRows); // both items of the record; item 0 replaces itself
        Assert.All(repaired.Tables, t => Assert.Equal(0, t.MissingAfterRepair));
        var again = await Verifier(dir, db).RunAsync(VerifyRange.All, repair: false, CancellationToken.None);
        Assert.Equal(VerifyExitCodes.AllPresent, again.ExitCode);
        Assert.Equal(0, again.TotalMissing);

        var second = await Verifier(dir, db).RunAsync(VerifyRange.All, repair: true, CancellationToken.None);
        Assert.All(second.Tables, t => Assert.Equal(0, t.RepairedRows));

        foreach (var table in ClickHouseRowBuffers.Tables)
        {
            await db.Database.ExecuteAsync($"OPTIMIZE TABLE {db.Database.Qualified(table.Name)} FINAL", CancellationToken.None);
            var expected = Table(again, table.Name).Expected;
            Assert.Equal(expected, await db.CountAsync(table.Name, final: true));
            Assert.Equal(expected, await db.CountAsync(table.Name, final: false));
        }
    }

    [Fact]
    public async Task Parts_clickhouse_lost_after_acknowledging_them_are_restored_by_repair_from_the_retained_spool()
    {
        using var dir = new TempSpoolDirectory();
        await using var db = await ClickHouseTestDatabase.CreateAsync(configure: o => o.FlushInterval = TimeSpan.FromMilliseconds(50));
        await FillAndDeliverAsync(dir, db, 30);
        // After a power loss ClickHouse finds the unflushed parts broken and detaches them: their rows are gone from the table.
        var partitions = (await db.Database.QueryTextAsync(
            $"SELECT DISTINCT partition FROM system.parts WHERE database = {SqlLiteral.Quote(db.Name)} AND table = 'frames_raw' AND active",
            CancellationToken.None)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var partition in partitions)
        {
            await db.Database.ExecuteAsync($"ALTER TABLE {db.Database.Qualified("frames_raw")} DETACH PARTITION {partition}", CancellationToken.None);
        }
        Assert.Equal(0, await db.CountAsync("frames_raw"));

        var lost = await Verifier(dir, db).RunAsync(VerifyRange.All, repair: false, CancellationToken.None);
        var repaired = await Verifier(dir, db).RunAsync(VerifyRange.All, repair: true, CancellationToken.None);
        var after = await Verifier(dir, db).RunAsync(VerifyRange.All, repair: false, CancellationToken.None);

        Assert.Equal((30, 0L), (Table(lost, "frames_raw").Missing, lost.Tables.Where(t => t.Table != "frames_raw").Sum(t => t.Missing)));
        Assert.Equal(VerifyExitCodes.AllPresent, repaired.ExitCode);
        Assert.Equal(30, Table(repaired, "frames_raw").RepairedRows);
        Assert.Equal(VerifyExitCodes.AllPresent, after.ExitCode);
        Assert.Equal(30, await db.CountAsync("frames_raw"));
    }

    [Fact]
    public async Task A_receive_time_range_checks_only_its_records_and_rows()
    {
        using var dir = new TempSpoolDirectory();
        await using var db = await ClickHouseTestDatabase.CreateAsync(configure: o => o.FlushInterval = TimeSpan.FromMilliseconds(50));
        var offsets = await FillAndDeliverAsync(dir, db, 30);
        await DeleteAsync(db, "frames_raw", $"spool_offset IN ({offsets[3]}, {offsets[12]}, {offsets[20]})");
        // Records 10..19 were received at T0+10.25 s .. T0+19.25 s; the bounds fall inside seconds and are widened to them.
        Assert.True(VerifyRange.TryCreate(null, null, T0.AddSeconds(10.5), T0.AddSeconds(19.5), out var range, out _));

        var report = await Verifier(dir, db).RunAsync(range, repair: false, CancellationToken.None);

        Assert.Equal(10, report.RecordsChecked);
        Assert.Equal([offsets[12]], Table(report, "frames_raw").MissingKeys.Select(k => k.SpoolOffset));
        Assert.All(report.Tables, t => Assert.Equal(0, t.Unexpected));
    }

    [Fact]
    public async Task Records_after_the_sink_cursor_are_left_to_the_sink_unless_undelivered_ones_are_asked_for()
    {
        using var dir = new TempSpoolDirectory();
        await using var db = await ClickHouseTestDatabase.CreateAsync(configure: o => o.FlushInterval = TimeSpan.FromMilliseconds(50));
        var offsets = await FillAndDeliverAsync(dir, db, 20, delivered: 15);

        var delivered = await Verifier(dir, db).RunAsync(VerifyRange.All, repair: false, CancellationToken.None);
        var everything = await Verifier(dir, db, includeUndelivered: true).RunAsync(VerifyRange.All, repair: false, CancellationToken.None);

        Assert.Equal((15, offsets[15]), (delivered.RecordsChecked, delivered.SinkCursor));
        Assert.Equal(VerifyExitCodes.AllPresent, delivered.ExitCode);
        Assert.Equal(offsets.Skip(15), Table(everything, "frames_raw").MissingKeys.Select(k => k.SpoolOffset));
    }

    [Fact]
    public async Task Rows_of_this_node_that_no_record_projects_to_are_reported_as_unexpected()
    {
        using var dir = new TempSpoolDirectory();
        await using var db = await ClickHouseTestDatabase.CreateAsync(configure: o => o.FlushInterval = TimeSpan.FromMilliseconds(50));
        var offsets = await FillAndDeliverAsync(dir, db, 10);
        long stray = offsets[5] + 1; // no record starts there
        await db.Database.ExecuteAsync(
            $"INSERT INTO {db.Database.Qualified("sessions")} (node, spool_offset, vin, event, received_at) VALUES " +
            $"({SqlLiteral.Quote(Node)}, {stray}, 'LSVSTRAY000000001', 'vehicle_login', {SqlLiteral.DateTime(T0)})", CancellationToken.None);

        var report = await Verifier(dir, db).RunAsync(VerifyRange.All, repair: false, CancellationToken.None);

        Assert.Equal([new SpoolRowKey(stray, 0)], Table(report, "sessions").UnexpectedKeys);
        Assert.Equal(0, report.TotalMissing);
        Assert.Equal(VerifyExitCodes.AllPresent, report.ExitCode);
    }

    [Fact]
    public async Task Without_retained_segments_the_rows_of_deleted_records_cannot_be_checked_and_verify_says_so()
    {
        using var dir = new TempSpoolDirectory();
        await using var db = await ClickHouseTestDatabase.CreateAsync(configure: o => o.FlushInterval = TimeSpan.FromMilliseconds(50));
        var offsets = await FillAndDeliverAsync(dir, db, 120, keepSegments: false);
        await DeleteAsync(db, "frames_raw", $"spool_offset = {offsets[0]}"); // lost with a part, but its segment is gone too
        Assert.True(VerifyRange.TryCreate(0, null, null, null, out var range, out _));

        var report = await Verifier(dir, db).RunAsync(range, repair: true, CancellationToken.None);

        Assert.True(report.SpoolFirstOffset > offsets[0]);
        Assert.Equal(0, report.TotalMissing);
        Assert.Single(report.Incomplete);
        Assert.Equal(VerifyExitCodes.Incomplete, report.ExitCode);
    }

    [Fact]
    public async Task The_commands_take_the_server_configuration_print_json_and_exit_with_1_then_0()
    {
        using var dir = new TempSpoolDirectory();
        await using var db = await ClickHouseTestDatabase.CreateAsync(configure: o => o.FlushInterval = TimeSpan.FromMilliseconds(50));
        var offsets = await FillAndDeliverAsync(dir, db, 12);
        await DeleteAsync(db, "frames_raw", $"spool_offset = {offsets[7]}");
        string[] configuration =
        [
            "--clickhouse", db.Options.Endpoint!, "--database", db.Name, "--spool-dir", dir.Path, "--node", Node,
            $"--ClickHouse:User={db.Options.User}", $"--ClickHouse:Password={db.Options.Password}",
        ];

        var (verifyCode, verifyJson) = await RunAsync(["verify", "--json", .. configuration]);
        var (repairCode, repairText) = await RunAsync(["repair", .. configuration]);
        var (againCode, _) = await RunAsync(["verify", "--from", T0.ToString("O", CultureInfo.InvariantCulture), .. configuration]);

        Assert.Equal(1, verifyCode);
        var report = JsonDocument.Parse(verifyJson).RootElement;
        var frames = report.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == "frames_raw");
        Assert.Equal(1, frames.GetProperty("missing").GetInt64());
        Assert.Equal(offsets[7], frames.GetProperty("missing_keys")[0].GetInt64());
        Assert.Equal(Node, report.GetProperty("node").GetString());
        Assert.Equal(0, repairCode);
        Assert.Contains("REPAIRED", repairText, StringComparison.Ordinal);
        Assert.Equal(0, againCode);
    }

    [Theory]
    [InlineData("verify", "--from", "2026-11-29T08:00:00")] // no zone
    [InlineData("verify", "--from", "yesterday")]
    [InlineData("verify", "--from-offset", "100", "--to-offset", "100")]
    [InlineData("verify", "--from-offset", "abc")]
    [InlineData("verify", "--frmo", "2026-11-29T08:00:00Z")] // a typo must not pass as configuration
    [InlineData("repair", "--repair")] // repair has no --repair switch
    public async Task Bad_arguments_exit_with_2(params string[] args)
    {
        using var dir = new TempSpoolDirectory();
        var (code, _) = await RunAsync([.. args, "--clickhouse", "http://127.0.0.1:1", "--spool-dir", dir.Path, "--node", Node]);
        Assert.Equal(2, code);
    }

    [Fact]
    public async Task A_missing_spool_folder_exits_with_2_and_an_unreachable_clickhouse_with_3()
    {
        using var dir = new TempSpoolDirectory();
        var (missingFolder, _) = await RunAsync(["verify", "--clickhouse", "http://127.0.0.1:1", "--spool-dir", dir.Path + "-none", "--node", Node]);
        await using (var spool = FileSpool.Open(dir.Options()))
        {
            await spool.AppendCommittedAsync(Payload(0));
        }
        var (unreachable, _) = await RunAsync(["repair", "--include-undelivered", "--clickhouse", "http://127.0.0.1:1", "--spool-dir", dir.Path,
            "--node", Node, "--ClickHouse:RequestTimeout=00:00:02"]);

        Assert.Equal(2, missingFolder);
        Assert.Equal(3, unreachable);
    }

    private async Task<(int Code, string Output)> RunAsync(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await IngestCommandLine.RunAsync(args, output, error);
        log.WriteLine($"$ ingest {string.Join(' ', args)}\n{output}{error}exit {code}");
        return (code, output + error.ToString());
    }
}
