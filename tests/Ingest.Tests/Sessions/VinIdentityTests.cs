using Ingest.Protocol.Primitives;
using Ingest.Records;
using Ingest.Sessions;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Sessions;

/// <summary>
/// Two identifiers that differ in any byte are two vehicles all the way through the session: a VIN field with a 0x00
/// between characters is refused at the header check (it used to be stored as '?', the same text as a real '?');
/// 0x00 padding and space padding of the same short id stay apart.
/// </summary>
[Collection(Ingest.Tests.SystemTests.ProcessWideMetrics.Name)]
public class VinIdentityTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static List<string> StoredVins(List<Ingest.Spool.SpoolRecord> records) =>
        records.Select(r =>
        {
            Assert.True(FrameEnvelope.TryRead(r.Payload, out var e));
            return Frames.Header(e.Frame.ToArray()).Vin.ToString();
        }).ToList();

    [Fact]
    public async Task A_vin_with_a_nul_between_characters_is_refused_as_junk_and_never_stored_as_the_vin_with_a_question_mark()
    {
        await using var server = await TestServer.StartAsync();
        await using var honest = await TestTerminal.ConnectAsync(server.Port());
        await using var forged = await TestTerminal.ConnectAsync(server.Port());

        await honest.SendAsync(Frames.Login("LZYTUGEW?G1059545"));
        Assert.NotNull(await honest.ReadFrameAsync(Wait));
        await forged.SendAsync(Frames.Login("LZYTUGEW\0G1059545"));

        Assert.Null(await forged.ReadFrameAsync(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(["LZYTUGEW?G1059545"], StoredVins(await server.ReadSpoolAsync(expectAtLeast: 1)));
        Assert.True(TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_decode_errors", "kind=\"junk\"") >= 1);
        var registry = server.Services.GetRequiredService<SessionRegistry>();
        Assert.True(registry.IsOnline(Vin.Parse("LZYTUGEW?G1059545"))); // not replaced by the forged login
    }

    [Fact]
    public async Task Nul_padding_and_space_padding_of_one_short_id_are_two_vehicles_with_two_names()
    {
        await using var server = await TestServer.StartAsync();
        await using var padded = await TestTerminal.ConnectAsync(server.Port());
        await using var spaced = await TestTerminal.ConnectAsync(server.Port());

        await padded.SendAsync(Frames.Login("123456789"));               // eight 0x00 after the id, as real terminals send
        Assert.NotNull(await padded.ReadFrameAsync(Wait));
        await spaced.SendAsync(Frames.Login("123456789        "));       // eight spaces instead
        Assert.NotNull(await spaced.ReadFrameAsync(Wait));

        var vins = StoredVins(await server.ReadSpoolAsync(expectAtLeast: 2));
        Assert.Equal(["123456789", "123456789        "], vins);
        Assert.False(await padded.WaitForCloseAsync(TimeSpan.FromMilliseconds(300))); // neither replaced the other
        await padded.SendAsync(Frames.Heartbeat("123456789"));
        Assert.NotNull(await padded.ReadFrameAsync(Wait));
    }
}
