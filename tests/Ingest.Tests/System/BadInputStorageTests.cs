using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using LoadGen.Frames;

namespace Ingest.Tests.SystemTests;

/// <summary>
/// Frames that pass the framer (length and check byte right) but whose data unit cannot be decoded, through the
/// whole server into ClickHouse: acknowledged, kept raw with their exact bytes, and no decoded rows made up from
/// them. (Input the framer rejects - junk, bad check byte, oversized length, spoofed VIN - is in Sessions/.)
/// </summary>
public sealed class BadInputStorageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task An_aes_encrypted_frame_is_acknowledged_stored_raw_with_its_bytes_and_gets_no_decoded_rows()
    {
        string vin = NewVin();
        var ciphertext = new byte[32];
        Random.Shared.NextBytes(ciphertext);
        var header = new FrameHeader(FrameMarker.Hash, HeaderLayout.Gb32960, Commands.Realtime, Gb32960ResponseFlags.Command, Vin.Parse(vin), 0,
            Gb32960Encryption.Aes128OrSm2, ciphertext.Length);
        var encrypted = new byte[FrameHeader.Overhead + ciphertext.Length];
        FrameEncoding.Write(encrypted, header, ciphertext);

        var stored = await SendAndStoreAsync(0, [Support.Frames.Login(vin), encrypted, Support.Frames.Realtime(vin)]);

        Assert.Equal(3, stored.Count);
        Assert.Equal((Commands.Realtime, Gb32960Encryption.Aes128OrSm2, Convert.ToHexString(encrypted)), (stored[1].Command, stored[1].Encryption, stored[1].Hex));
        Assert.Equal(1, await Samples(vin)); // only the plain realtime frame after it was decoded
        Assert.Equal(0, await Samples(vin, $"spool_offset = {stored[1].Offset}"));
    }

    [Fact]
    public async Task A_gb_frame_whose_data_unit_is_cut_short_is_acknowledged_stored_raw_and_gets_no_decoded_rows()
    {
        string vin = NewVin();
        // rtm_con #5's data unit (time + whole-vehicle block) cut inside the vehicle block; length and check byte agree.
        var dataUnit = Convert.FromHexString("190A1B14020201FFFFFFFFFF");
        var truncated = Support.Frames.Gb(Commands.Realtime, vin, dataUnit);

        var stored = await SendAndStoreAsync(0, [Support.Frames.Login(vin), truncated, Support.Frames.Realtime(vin)]);

        Assert.Equal(3, stored.Count);
        Assert.Equal((Commands.Realtime, Convert.ToHexString(truncated)), (stored[1].Command, stored[1].Hex));
        Assert.Equal(1, await Samples(vin));
        Assert.Equal(0, await Samples(vin, $"spool_offset = {stored[1].Offset}"));
    }

    [Fact]
    public async Task An_hj1239_frame_whose_data_unit_is_cut_short_is_acknowledged_stored_raw_and_gets_no_decoded_rows()
    {
        string vin = NewVin();
        var frames = TerminalFrames.Build(TerminalProtocol.Hj1239, vin, new FrameShape(), seed: 3);
        var now = DateTimeOffset.UtcNow;
        frames.Login.Stamp(now, 1);
        frames.Data.Stamp(Commands.Realtime, now, now, 2);
        var whole = frames.Data.Span.ToArray();
        var header = FrameHeader.Read(whole, HeaderLayout.Hj1239);
        // Send time, serial and the first item's type and time, then half of its body.
        var dataUnit = whole.AsSpan(FrameHeader.Size, 6 + 2 + 1 + 6 + 20);
        var truncated = new byte[FrameHeader.Overhead + dataUnit.Length];
        FrameEncoding.Write(truncated, header.WithDataLength(dataUnit.Length), dataUnit);
        frames.Data.Stamp(Commands.Realtime, now.AddSeconds(1), now.AddSeconds(1), 3);

        var stored = await SendAndStoreAsync(1, [frames.Login.Span.ToArray(), truncated, frames.Data.Span.ToArray()]);

        Assert.Equal(3, stored.Count);
        Assert.Equal((Commands.Realtime, Convert.ToHexString(truncated)), (stored[1].Command, stored[1].Hex));
        int itemsPerFrame = InfoMix.Hj1239Default.Items.Sum(i => i.Count);
        Assert.Equal(itemsPerFrame, await Emissions(vin)); // only the whole frame after it was decoded
        Assert.Equal(0, await Emissions(vin, $"spool_offset = {stored[1].Offset}"));
    }

    private sealed record StoredFrame(long Offset, byte Command, byte Encryption, string Hex);

    private ClickHouseTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ClickHouseTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    /// <summary>Sends each frame on one connection (port 0: GB, 1: HJ), requires each to be answered, waits until ClickHouse has them all.</summary>
    private async Task<List<StoredFrame>> SendAndStoreAsync(int listener, byte[][] frames)
    {
        await using var server = await TestServer.StartAsync(SystemSettings.For(SystemSettings.UniqueNode("bad"), _db));
        await using var terminal = await TestTerminal.ConnectAsync(server.Port(listener));
        foreach (var frame in frames)
        {
            await terminal.SendAsync(frame);
            var reply = await terminal.ReadFrameAsync(Wait);
            Assert.True(reply is not null && reply[2] == frame[2], $"frame 0x{frame[2]:X2} ({frame.Length} bytes) not acknowledged");
        }
        await Eventually.TrueAsync(async () => await StoredRows.CountOrMinusOneAsync(_db, "frames_raw") == frames.Length,
            $"{frames.Length} frames in frames_raw", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => server.Spool.GetStats().ConsumerOffsets.GetValueOrDefault("clickhouse") == server.Spool.GetStats().NextOffset,
            "every table written and the cursor committed", TimeSpan.FromSeconds(30));
        var text = await _db.Database.QueryTextAsync(
            $"SELECT spool_offset, command, encryption, hex(frame_bytes) FROM {_db.Database.Qualified("frames_raw")} FINAL ORDER BY spool_offset",
            CancellationToken.None);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .Select(p => new StoredFrame(long.Parse(p[0]), byte.Parse(p[1]), byte.Parse(p[2]), p[3]))];
    }

    private Task<long> Samples(string vin, string? where = null) => Count("vehicle_samples", vin, where);

    private Task<long> Emissions(string vin, string? where = null) => Count("emission_samples", vin, where);

    private Task<long> Count(string table, string vin, string? where) =>
        _db.ScalarAsync($"SELECT count() FROM {_db.Database.Qualified(table)} FINAL WHERE vin = '{vin}'{(where is null ? "" : " AND " + where)}");

    private static string NewVin() => LoadGen.Vehicles.VinGenerator.ForSeed(Random.Shared.Next()).Create(0);
}
