using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using LoadGen.Frames;
using Xunit.Abstractions;

namespace Ingest.Tests.SystemTests;

/// <summary>
/// The server as a real process, killed with SIGKILL while terminals send and the ClickHouse sink writes, then
/// started again on the same spool and node name: the ack contract is that nothing acknowledged is lost.
/// </summary>
public sealed class ProcessKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Frames_acknowledged_before_a_sigkill_are_stored_exactly_once_after_the_restart()
    {
        await using var db = await ClickHouseTestDatabase.CreateAsync();
        string spoolDirectory = Path.Combine(Path.GetTempPath(), "ingest-tests", "kill-" + Guid.NewGuid().ToString("N"));
        int httpPort = IngestProcess.FreePort();
        var settings = SystemSettings.For(SystemSettings.UniqueNode("kill"), db, gbPort: IngestProcess.FreePort(), hjPort: IngestProcess.FreePort(),
            httpUrl: $"http://127.0.0.1:{httpPort}");
        settings["Spool:Directory"] = spoolDirectory;
        settings["Logging:LogLevel:Default"] = "Warning";
        var environment = settings.ToDictionary(kv => kv.Key, kv => kv.Value ?? "");
        try
        {
            var server = await IngestProcess.StartAsync(environment);
            await using var fleet = RecordingFleet.Start(new RecordingFleetOptions
            {
                Terminals = [.. Enumerable.Range(0, 16).Select(i => (TerminalProtocol)(i % 3))],
                GbPort = int.Parse(environment["Ingest:Listeners:0:Port"]),
                HjPort = int.Parse(environment["Ingest:Listeners:1:Port"]),
                FrameInterval = TimeSpan.FromMilliseconds(5),
                AckTimeout = TimeSpan.FromSeconds(3),
            });
            await Eventually.TrueAsync(async () => fleet.Acknowledged >= 800 && await StoredRows.CountOrMinusOneAsync(db, "frames_raw") >= 100,
                "frames acknowledged and some stored before the first kill", TimeSpan.FromSeconds(30));
            var atFirstKill = new List<SentFrame>();
            for (int kill = 1; kill <= 2; kill++)
            {
                output.WriteLine($"kill {kill}: {await ReadinessAsync(server)}");
                await server.KillAsync();
                await server.DisposeAsync();
                long acknowledgedAtKill = fleet.Acknowledged;
                if (kill == 1)
                {
                    atFirstKill = [.. fleet.Snapshot().Where(f => f.Acknowledged)];
                }
                server = await IngestProcess.StartAsync(environment);
                await Eventually.TrueAsync(() => fleet.Acknowledged >= acknowledgedAtKill + 400,
                    $"terminals reconnected after kill {kill} and were acknowledged again", TimeSpan.FromSeconds(30));
            }
            await using var last = server;
            var sent = await fleet.StopAsync();
            var lost = sent.Where(f => !f.Acknowledged).ToList();
            output.WriteLine($"{atFirstKill.Count} acknowledged before the first kill, {sent.Count(f => f.Acknowledged)} in all; " +
                $"{lost.Count} frames in flight when the link dropped (not counted)");

            var stored = await StoredRows.WaitForAcknowledgedAsync(db, sent, TimeSpan.FromSeconds(30));
            Assert.All(atFirstKill, f => Assert.True(stored.GetValueOrDefault(f.Digest) == 1,
                $"{f.Vin} #{f.Sequence} acknowledged before the first kill: {stored.GetValueOrDefault(f.Digest)} copies in frames_raw FINAL"));
            output.WriteLine(await StoredRows.DescribeRepeatsAsync(db, stored));
            StoredRows.AssertExactlyOnce(sent, stored, "frames_raw FINAL");
            output.WriteLine($"{lost.Count(f => stored.ContainsKey(f.Digest))} of the unacknowledged frames were committed before the kill and are stored");
            await StoredRows.OptimizeFinalAsync(db, "frames_raw");
            StoredRows.AssertExactlyOnce(sent, await StoredRows.FrameDigestsAsync(db, final: false), "frames_raw after OPTIMIZE FINAL");
            Assert.False(last.HasExited, last.OutputTail());
        }
        finally
        {
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

    /// <summary>The server's /readyz body (spool and consumer lag per cursor) just before a kill, for the test log.</summary>
    private static async Task<string> ReadinessAsync(IngestProcess server)
    {
        using var http = new HttpClient { BaseAddress = server.Http };
        return await http.GetStringAsync("/readyz");
    }
}
