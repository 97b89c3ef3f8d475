using Ingest.Records;
using Ingest.Spool;
using Ingest.Tests.Support;

namespace Ingest.Tests.Sessions;

/// <summary>Stopping the host: terminals are disconnected, and every acknowledged frame is in the spool afterwards.</summary>
public class GracefulShutdownTests
{
    [Fact]
    public async Task Stopping_the_server_closes_terminal_connections_and_keeps_every_acknowledged_frame()
    {
        await using var server = await TestServer.StartAsync();
        await using var terminal = await TestTerminal.ConnectAsync(server.Port());
        const string vin = "LZYTUGEW5G1059545";
        var sent = new List<byte[]> { Frames.Login(vin) };
        sent.AddRange(Enumerable.Range(0, 20).Select(_ => Frames.Realtime(vin)));
        await terminal.SendAsync(sent.SelectMany(f => f).ToArray());
        int acknowledged = 0;
        while (acknowledged < sent.Count && await terminal.ReadFrameAsync(TimeSpan.FromSeconds(5)) is not null)
        {
            acknowledged++;
        }
        Assert.Equal(sent.Count, acknowledged);

        await server.StopHostAsync();

        Assert.True(await terminal.WaitForCloseAsync(TimeSpan.FromSeconds(10)));
        await using var reopened = FileSpool.Open(new SpoolOptions { Directory = server.SpoolDirectory });
        await using var reader = reopened.OpenConsumer("after-shutdown");
        using var batch = await reader.ReadAsync(1000, TimeSpan.FromSeconds(1), CancellationToken.None);
        var stored = batch.Records.Select(r => { Assert.True(FrameEnvelope.TryRead(r.Payload, out var e)); return e.Frame.ToArray(); }).ToList();
        Assert.Equal(sent, stored);
    }
}

/// <summary>One spool folder, one writer.</summary>
public class SpoolExclusivityTests
{
    [Fact]
    public async Task A_second_open_of_the_same_spool_fails_with_a_clear_error_until_the_first_is_closed()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ingest-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var first = FileSpool.Open(new SpoolOptions { Directory = directory });
            var error = Assert.Throws<IOException>(() => FileSpool.Open(new SpoolOptions { Directory = directory }));
            Assert.Contains("already open", error.Message);
            await first.DisposeAsync();
            await using var second = FileSpool.Open(new SpoolOptions { Directory = directory });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
