using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Registry;
using Ingest.Signatures;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using Ingest.Tests.SystemTests;
using LoadGen.Frames;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Signatures;

/// <summary>
/// Signed frames through the real server into ClickHouse, under each listener policy, for HJ 1239 and GB/T 32960-2025:
/// a filed vehicle sends a valid frame, one with a flipped byte, one signed with another key and one without a
/// signature (each followed by a valid reissue, whose reply shows whether the frame before it was answered); a
/// vehicle filed without a key sends a signed frame.
/// </summary>
public sealed class SignaturePolicyTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private ClickHouseTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ClickHouseTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Theory]
    [InlineData(SignaturePolicy.Off, TerminalProtocol.Hj1239)]
    [InlineData(SignaturePolicy.Flag, TerminalProtocol.Hj1239)]
    [InlineData(SignaturePolicy.Reject, TerminalProtocol.Hj1239)]
    [InlineData(SignaturePolicy.Off, TerminalProtocol.Gb2025)]
    [InlineData(SignaturePolicy.Flag, TerminalProtocol.Gb2025)]
    [InlineData(SignaturePolicy.Reject, TerminalProtocol.Gb2025)]
    public async Task Each_policy_answers_stores_and_quarantines_as_documented(SignaturePolicy policy, TerminalProtocol terminal)
    {
        int listener = terminal == TerminalProtocol.Hj1239 ? 1 : 0;
        var listenerProtocol = terminal == TerminalProtocol.Hj1239 ? ListenerProtocol.Hj1239 : ListenerProtocol.Gb32960;
        var settings = SystemSettings.For(SystemSettings.UniqueNode("sig"), _db);
        settings[$"Ingest:Listeners:{listener}:Signatures"] = policy.ToString();
        await using var server = await TestServer.StartAsync(settings);

        string filed = NewVin(), keyless = NewVin();
        var chip = new Sm2FrameSigner("CHIP" + filed[5..]);
        var impostor = new Sm2FrameSigner(chip.ChipId);
        await server.Services.GetRequiredService<IVehicleRegistry>().UpsertAsync(
        [
            new VehicleFiling(filed, "tenant-a", ChipId: chip.ChipId, Sm2PublicKey: chip.PublicKey),
            new VehicleFiling(keyless, "tenant-a"),
        ]);

        var frames = TerminalFrames.Build(terminal, filed, new FrameShape(), seed: 11);
        var unsignedFrames = TerminalFrames.Build(terminal, filed, new FrameShape { Signed = false }, seed: 11);
        var now = DateTimeOffset.UtcNow;
        int serial = 1;
        byte[] Data(byte command, Sm2FrameSigner signer, TerminalFrames source)
        {
            var at = now.AddSeconds(serial);
            source.Data.Stamp(command, at, at, ++serial);
            return source == unsignedFrames ? source.Data.Span.ToArray() : signer.Sign(source.Data.Span, listenerProtocol);
        }
        frames.Login.Stamp(now, 1);
        var valid = Data(Commands.Realtime, chip, frames);
        var flipped = Data(Commands.Realtime, chip, frames);
        flipped[FrameHeader.Size + 3] ^= 0x01; // inside the signed time field, check byte fixed: only the signature can tell
        Sm2FrameSigner.FixCheckByte(flipped);
        var forged = Data(Commands.Realtime, impostor, frames);
        var missing = Data(Commands.Realtime, chip, unsignedFrames);

        var answered = new List<byte>();
        await using (var vehicle = await TestTerminal.ConnectAsync(server.Port(listener)))
        {
            await Exchange(vehicle, frames.Login.Span.ToArray(), answered);
            await Exchange(vehicle, valid, answered);
            foreach (var bad in new[] { flipped, forged, missing })
            {
                await vehicle.SendAsync(bad);
                // The reply after a valid reissue tells whether the frame before it was answered (replies keep order).
                await Exchange(vehicle, Data(Commands.Reissue, chip, frames), answered, bad);
            }
        }
        var keylessFrames = TerminalFrames.Build(terminal, keyless, new FrameShape(), seed: 12);
        keylessFrames.Login.Stamp(now, 1);
        keylessFrames.Data.Stamp(Commands.Realtime, now, now, 2);
        await using (var vehicle = await TestTerminal.ConnectAsync(server.Port(listener)))
        {
            await Exchange(vehicle, keylessFrames.Login.Span.ToArray(), answered);
            await Exchange(vehicle, chip.Sign(keylessFrames.Data.Span, listenerProtocol), answered);
        }

        bool rejects = policy == SignaturePolicy.Reject;
        Assert.Equal(rejects ? 3 : 0, answered.Count(c => c == 0)); // 0: a frame left unanswered

        await Eventually.TrueAsync(() => server.Spool.GetStats().ConsumerOffsets.GetValueOrDefault("clickhouse") == server.Spool.GetStats().NextOffset,
            "every record stored and the cursor committed", TimeSpan.FromSeconds(30));

        var stored = await Verdicts(filed);
        string Expected(string verdict) => policy == SignaturePolicy.Off ? "not_checked" : verdict;
        Assert.Equal(Expected("unsigned"), stored[Convert.ToHexString(frames.Login.Span)]);
        Assert.Equal(Expected("valid"), stored[Convert.ToHexString(valid)]);
        Assert.Equal([Expected("no_key"), Expected("unsigned")], (await Verdicts(keyless)).Values.Order());
        var quarantined = await Quarantined(filed);
        if (rejects)
        {
            Assert.DoesNotContain(Convert.ToHexString(flipped), stored.Keys);
            Assert.DoesNotContain(Convert.ToHexString(forged), stored.Keys);
            Assert.DoesNotContain(Convert.ToHexString(missing), stored.Keys);
            Assert.Equal(new Dictionary<string, string>
            {
                [Convert.ToHexString(flipped)] = "invalid",
                [Convert.ToHexString(forged)] = "invalid",
                [Convert.ToHexString(missing)] = "missing",
            }, quarantined);
            Assert.Equal(2 + 3, stored.Count); // login, valid, three reissues
        }
        else
        {
            Assert.Empty(quarantined);
            Assert.Equal(Expected("invalid"), stored[Convert.ToHexString(flipped)]);
            Assert.Equal(Expected("invalid"), stored[Convert.ToHexString(forged)]);
            Assert.Equal(Expected("missing"), stored[Convert.ToHexString(missing)]);
        }

        var metrics = await server.GetMetricsAsync();
        double checks = TestServer.MetricValue(metrics, "ingest_signature_checks_total", "verdict=\"valid\"");
        Assert.Equal(policy == SignaturePolicy.Off ? 0 : 4, checks); // the valid realtime and three reissues
        Assert.Equal(rejects ? 2 : policy == SignaturePolicy.Flag ? 2 : 0,
            TestServer.MetricValue(metrics, "ingest_signature_checks_total", "verdict=\"invalid\""));
    }

    private static async Task Exchange(TestTerminal vehicle, byte[] frame, List<byte> answered, byte[]? unansweredBefore = null)
    {
        await vehicle.SendAsync(frame);
        var reply = await vehicle.ReadFrameAsync(Wait);
        Assert.NotNull(reply);
        if (unansweredBefore is not null)
        {
            if (reply[2] == unansweredBefore[2])
            {
                answered.Add(reply[2]);
                reply = await vehicle.ReadFrameAsync(Wait);
                Assert.NotNull(reply);
            }
            else
            {
                answered.Add(0);
            }
        }
        Assert.Equal(frame[2], reply[2]);
        answered.Add(reply[2]);
    }

    /// <summary>frames_raw of one VIN: frame bytes (hex) to the stored verdict.</summary>
    private async Task<Dictionary<string, string>> Verdicts(string vin) => Pairs(await _db.Database.QueryTextAsync(
        $"SELECT hex(frame_bytes), signature FROM {_db.Database.Qualified("frames_raw")} FINAL WHERE vin = '{vin}'", CancellationToken.None));

    private async Task<Dictionary<string, string>> Quarantined(string vin) => Pairs(await _db.Database.QueryTextAsync(
        $"SELECT hex(frame_bytes), reason FROM {_db.Database.Qualified("frames_quarantine")} FINAL WHERE vin = '{vin}'", CancellationToken.None));

    private static Dictionary<string, string> Pairs(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => l.Split('\t')).ToDictionary(p => p[0], p => p[1]);

    private static string NewVin() => LoadGen.Vehicles.VinGenerator.ForSeed(Random.Shared.Next()).Create(0);
}
