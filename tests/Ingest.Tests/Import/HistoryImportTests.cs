using System.Text.Json;
using Ingest.Import;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using Ingest.Tools;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Tests.Import;

/// <summary>
/// import against the real ClickHouse: rows in every table as the sink writes them, marked as imported (node
/// <c>import</c>); importing twice stores once (FINAL, and plain counts after a merge); a capture with split, sticky,
/// reordered and retransmitted segments stores exactly the rows of the hex export of the same traffic; bad input is
/// counted and located while every good frame is stored.
/// </summary>
public sealed class HistoryImportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("import-test-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string WriteFile(string name, string text) => WriteFile(name, System.Text.Encoding.UTF8.GetBytes(text));

    private static Task<ImportReport> ImportAsync(ClickHouseTestDatabase db, params string[] files) =>
        new HistoryImport(new ImportSettings { Listeners = TerminalCapture.Listeners, BatchRows = 7, RetryDelays = [] }, db.Database, NullLogger.Instance)
            .RunAsync(files, CancellationToken.None);

    private static async Task<List<string>> RowsAsync(ClickHouseTestDatabase db, string sql) =>
        (await db.QueryJsonAsync(sql)).Select(r => r.GetRawText()).ToList();

    private static (List<CapturedFrame> Frames, byte[] Pcap) Capture()
    {
        var writer = new PcapWriter();
        var frames = TerminalCapture.Write(writer);
        return (frames, writer.ToArray());
    }

    [Fact]
    public async Task A_hex_export_is_stored_in_every_table_marked_imported_and_importing_it_twice_stores_it_once()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        var (frames, _) = Capture();
        var hex = WriteFile("legacy.hex", TerminalCapture.HexFile(frames));

        var first = await ImportAsync(db, hex);

        Assert.Equal(ImportExitCodes.Clean, first.ExitCode);
        Assert.Equal(frames.Count, first.Frames);
        Assert.Equal(frames.Count, await db.ScalarAsync($"SELECT count() FROM {db.Database.Qualified("frames_raw")} FINAL WHERE node = 'import'"));
        Assert.Equal(12, await db.ScalarAsync($"SELECT count() FROM {db.Database.Qualified("vehicle_samples")} FINAL WHERE node = 'import'"));
        Assert.Equal(2, await db.ScalarAsync($"SELECT count() FROM {db.Database.Qualified("sessions")} FINAL WHERE node = 'import'"));
        Assert.True(await db.ScalarAsync($"SELECT count() FROM {db.Database.Qualified("emission_samples")} FINAL WHERE node = 'import'") >= 3);
        Assert.Equal(0, await db.ScalarAsync($"SELECT count() FROM {db.Database.Qualified("frames_raw")} WHERE node != 'import'"));
        // The receive time is the line's, in seconds; the frame is stored byte for byte.
        var login = (await db.QueryJsonAsync(
            $"SELECT toUnixTimestamp(received_at) AS t, hex(frame_bytes) AS bytes, vin FROM {db.Database.Qualified("frames_raw")} FINAL WHERE command = 1")).Single();
        Assert.Equal(frames[0].ReceivedAt.ToUnixTimeSeconds(), login.GetProperty("t").GetInt64());
        Assert.Equal(Convert.ToHexString(frames[0].Bytes), login.GetProperty("bytes").GetString());
        Assert.Equal(TerminalCapture.GbVin, login.GetProperty("vin").GetString());

        var second = await ImportAsync(db, hex);

        Assert.Equal(frames.Count, second.Frames);
        foreach (var table in new[] { "frames_raw", "vehicle_samples", "emission_samples", "sessions" })
        {
            long once = await db.CountAsync(table);
            Assert.Equal(first.RowsWritten[table], once);
            await db.Database.ExecuteAsync($"OPTIMIZE TABLE {db.Database.Qualified(table)} FINAL", CancellationToken.None);
            Assert.Equal(once, await db.CountAsync(table, final: false));
        }
    }

    [Fact]
    public async Task A_capture_with_split_sticky_reordered_and_retransmitted_segments_stores_the_same_rows_as_the_hex_export()
    {
        await using var fromHex = await ClickHouseTestDatabase.CreateAsync();
        await using var fromPcap = await ClickHouseTestDatabase.CreateAsync();
        var (frames, pcap) = Capture();
        var hex = WriteFile("legacy.hex", TerminalCapture.HexFile(frames));
        var capture = WriteFile("terminals.pcap", pcap);

        var hexReport = await ImportAsync(fromHex, hex);
        var pcapReport = await ImportAsync(fromPcap, capture);

        Assert.Equal(ImportExitCodes.Clean, pcapReport.ExitCode);
        Assert.Equal(frames.Count, pcapReport.Frames);
        const string RawRows = "SELECT spool_offset, vin, toUnixTimestamp(received_at) AS t, command, hex(frame_bytes) AS bytes FROM {0} FINAL ORDER BY spool_offset";
        Assert.Equal(await RowsAsync(fromHex, string.Format(RawRows, fromHex.Database.Qualified("frames_raw"))),
            await RowsAsync(fromPcap, string.Format(RawRows, fromPcap.Database.Qualified("frames_raw"))));
        const string SampleRows = "SELECT spool_offset, vin, toUnixTimestamp(device_time) AS t FROM {0} FINAL ORDER BY spool_offset";
        Assert.Equal(await RowsAsync(fromHex, string.Format(SampleRows, fromHex.Database.Qualified("vehicle_samples"))),
            await RowsAsync(fromPcap, string.Format(SampleRows, fromPcap.Database.Qualified("vehicle_samples"))));
        const string ItemRows = "SELECT spool_offset, item_index FROM {0} FINAL ORDER BY spool_offset, item_index";
        Assert.Equal(await RowsAsync(fromHex, string.Format(ItemRows, fromHex.Database.Qualified("emission_samples"))),
            await RowsAsync(fromPcap, string.Format(ItemRows, fromPcap.Database.Qualified("emission_samples"))));
        Assert.Equal(hexReport.RowsWritten, pcapReport.RowsWritten);

        // The same traffic from the other source replaces rather than adds: keys depend on the frame and its second only.
        await ImportAsync(fromHex, capture);
        Assert.Equal(frames.Count, await fromHex.CountAsync("frames_raw"));
    }

    [Fact]
    public async Task Bad_lines_and_packets_are_counted_with_where_they_were_and_every_good_frame_is_stored()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        var good = Enumerable.Range(0, 3).Select(i => TerminalCapture.Realtime(TerminalCapture.GbVin, 40 + i)).ToList();
        var badCheck = (byte[])good[1].Clone();
        badCheck[^1] ^= 0x55;
        var hex = WriteFile("with-errors.hex", string.Join('\n',
            "2026-12-05T08:00:01+08:00 " + Convert.ToHexString(good[0]),
            "2026-12-05T08:00:02+08:00 " + Convert.ToHexString(badCheck),
            "not-a-time " + Convert.ToHexString(good[1]),
            "2026-12-05T08:00:03+08:00 " + Convert.ToHexString(good[1]) + Convert.ToHexString(good[2])[..40],
            "2026-12-05T08:00:04+08:00 " + Convert.ToHexString(good[2])) + "\n");
        var writer = new PcapWriter();
        var t = TerminalCapture.T0.AddHours(1);
        writer.AddTcp(t, TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 1, TcpFlagBits.Syn, []);
        writer.AddTcp(t.AddSeconds(1), TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 2, TcpFlagBits.Ack, good[0]);
        writer.Add(t.AddSeconds(2), [0x02, 0x02, 0x02]); // a runt: not even an Ethernet header
        writer.AddTcp(t.AddSeconds(3), TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 2 + 52, TcpFlagBits.Ack, badCheck);
        writer.AddTcp(t.AddSeconds(4), TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 2 + 104, TcpFlagBits.Ack | TcpFlagBits.Fin, good[2]);
        var pcap = WriteFile("with-errors.pcap", writer.ToArray());

        var report = await ImportAsync(db, hex, pcap);

        Assert.Equal(ImportExitCodes.SomeSkipped, report.ExitCode);
        Assert.Equal(3 + 2, report.Frames);
        Assert.Equal(5, await db.CountAsync("frames_raw"));
        Assert.Equal(
            [("with-errors.hex", ImportProblemKind.Checksum, "line 2, byte 0 of its frames"),
             ("with-errors.hex", ImportProblemKind.BadLine, "line 3"),
             ("with-errors.hex", ImportProblemKind.Incomplete, "line 4, byte 52 of its frames"),
             ("with-errors.pcap", ImportProblemKind.BadPacket, "packet 3"),
             ("with-errors.pcap", ImportProblemKind.Checksum, "packet 4 (10.0.0.5:40001 > 10.0.0.1:32960, stream byte 52)")],
            report.Problems.Select(p => (Path.GetFileName(p.File), p.Kind, p.Where)));
        Assert.Equal(1, report.ProblemsByKind[ImportProblemKind.BadLine]);
        Assert.Equal(2, report.ProblemsByKind[ImportProblemKind.Checksum]);
        // The file header, the SYN's record (padded to 60 bytes on Ethernet), the first data packet's record.
        Assert.Equal(24 + (16 + 60) + (16 + 14 + 20 + 20 + 52), report.Problems[3].FileOffset);
    }

    [Fact]
    public async Task The_import_command_reports_problems_and_exits_1_and_a_dry_run_writes_nothing()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        var (frames, pcap) = Capture();
        var capture = WriteFile("terminals.pcap", pcap);
        var hex = WriteFile("legacy.hex", TerminalCapture.HexFile(frames) + "2026-12-05 09:00:00 23 23 0\n");
        var settings = new[] { "--clickhouse", db.Options.Endpoint!, "--database", db.Name,
            $"--ClickHouse:User={db.Options.User}", $"--ClickHouse:Password={db.Options.Password}" };

        var dryOutput = new StringWriter();
        int dry = await IngestCommandLine.RunAsync(["import", capture, "--dry-run", "--json"], dryOutput, new StringWriter());
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await IngestCommandLine.RunAsync(["import", hex, capture, .. settings], output, error);

        Assert.Equal(ImportExitCodes.Clean, dry);
        var json = JsonDocument.Parse(dryOutput.ToString()).RootElement;
        Assert.True(json.GetProperty("dry_run").GetBoolean());
        Assert.Equal(frames.Count, json.GetProperty("frames").GetInt32());
        Assert.Equal(ImportExitCodes.SomeSkipped, exit);
        Assert.Contains("bad_line 1", output.ToString());
        Assert.Contains($"line {frames.Count + 3}", output.ToString());
        Assert.Equal(frames.Count, await db.CountAsync("frames_raw"));
        Assert.Equal(ImportExitCodes.BadArguments, await IngestCommandLine.RunAsync(["import", hex, "--zone", "Beijing"], new StringWriter(), new StringWriter()));
    }

    /// <summary>Rows as the live sink writes them (the sink's projector and insert path), for node <c>live-node</c>.</summary>
    private static async Task StoreLiveAsync(ClickHouseTestDatabase db, IEnumerable<CapturedFrame> frames)
    {
        await new Ingest.Sinks.ClickHouse.Schema.ClickHouseSchema(db.Database).EnsureAsync(CancellationToken.None);
        var projector = new Ingest.Projection.ClickHouseRowProjector(Microsoft.Extensions.Options.Options.Create(
            new Ingest.Hosting.IngestOptions { NodeName = "live-node", Listeners = [.. TerminalCapture.Listeners] }));
        var rows = new Ingest.Sinks.ClickHouse.Rows.ClickHouseRowBuffers();
        long offset = 0;
        foreach (var frame in frames)
        {
            var payload = new byte[Ingest.Records.FrameEnvelope.SizeFor(frame.Bytes.Length)];
            Ingest.Records.FrameEnvelope.WriteHeader(payload, Ingest.Hosting.ListenerProtocol.Auto, frame.ReceivedAt.ToUnixTimeMilliseconds(), 1, frame.Port);
            frame.Bytes.CopyTo(payload, Ingest.Records.FrameEnvelope.HeaderSize);
            projector.Project(new Ingest.Spool.SpoolRecord(offset, offset + payload.Length, payload), rows);
            offset += payload.Length + 8;
        }
        foreach (var table in rows.All.Where(t => t.Count > 0))
        {
            await db.Database.InsertAsync(table, "live-" + Guid.NewGuid().ToString("N"), CancellationToken.None);
        }
    }

    [Fact]
    public async Task Compare_with_names_the_vehicle_day_where_the_legacy_export_misses_data_and_ignores_reissues_and_duplicates()
    {
        await using var live = await ClickHouseTestDatabase.CreateAsync();
        await using var check = await ClickHouseTestDatabase.CreateAsync();
        var (frames, _) = Capture();
        await StoreLiveAsync(live, frames);
        var realtime = frames.Where(f => f.Bytes[2] == 0x02 && f.Port == 32960).ToList();
        Assert.Equal(12, realtime.Count);
        // The legacy platform got realtime 3 never, realtime 5 late as a reissue, realtime 7 twice.
        var legacy = frames.Where(f => f != realtime[3]).Select(f => f == realtime[5] ? f with { Bytes = Reissue(f.Bytes), ReceivedAt = f.ReceivedAt.AddMinutes(10) } : f)
            .Append(realtime[7] with { ReceivedAt = realtime[7].ReceivedAt.AddSeconds(30) }).ToList();
        var all = frames.Where(f => f != realtime[5]).Append(realtime[5] with { Bytes = Reissue(realtime[5].Bytes) }).ToList();
        string[] settings = ["--clickhouse", check.Options.Endpoint!, $"--ClickHouse:User={check.Options.User}", $"--ClickHouse:Password={check.Options.Password}",
            "--compare-with", live.Name];

        var output = new StringWriter();
        int differ = await IngestCommandLine.RunAsync(["import", WriteFile("legacy.hex", TerminalCapture.HexFile(legacy)), "--database", check.Name, .. settings],
            output, new StringWriter());
        await using var complete = await ClickHouseTestDatabase.CreateAsync();
        var agreeOutput = new StringWriter();
        int agree = await IngestCommandLine.RunAsync(["import", WriteFile("complete.hex", TerminalCapture.HexFile(all)), "--database", complete.Name,
            .. settings[..4], "--compare-with", live.Name], agreeOutput, new StringWriter());

        Assert.Equal(ImportExitCodes.Differ, differ);
        Assert.Contains("1 differ", output.ToString());
        Assert.Contains($"{TerminalCapture.GbVin} 2025-10-27: live 12, imported 11 (+1)", output.ToString());
        Assert.Equal(ImportExitCodes.Clean, agree);
        Assert.Contains("0 differ", agreeOutput.ToString());
    }

    private static byte[] Reissue(byte[] realtime)
    {
        var reissue = (byte[])realtime.Clone();
        reissue[2] = 0x03;
        reissue[^1] = Ingest.Protocol.Primitives.Bcc.Compute(reissue.AsSpan(2, reissue.Length - 3));
        return reissue;
    }
}
