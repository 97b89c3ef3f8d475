using System.Net;
using System.Text.Json;
using Ingest.Hosting;
using Ingest.Spool;
using Ingest.Tests.Spool;
using Ingest.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Http;

/// <summary>/healthz and /readyz say when the spool cannot accept frames, and which cursors are orphaned.</summary>
public class SpoolHealthTests
{
    [Fact]
    public async Task Healthz_answers_503_while_a_disk_error_refuses_appends_and_200_once_it_cleared()
    {
        var spoolDirectory = Path.Combine(Path.GetTempPath(), "ingest-tests", Guid.NewGuid().ToString("N"));
        var io = new FailingFileIo();
        var time = new SteppedTimeProvider(new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero));
        var app = IngestHost.Build([], c =>
        {
            foreach (var source in c.Sources.Where(s => s is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
                or Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource).ToList())
            {
                c.Sources.Remove(source);
            }

            c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Ingest:HttpUrl"] = "http://127.0.0.1:0",
                ["Ingest:Listeners:0:Address"] = "127.0.0.1",
                ["Ingest:Listeners:0:Port"] = "0",
                ["Ingest:Admission"] = "Open",
                ["Spool:Directory"] = spoolDirectory,
                ["Logging:LogLevel:Default"] = "Warning",
                ["ClickHouse:Endpoint"] = "",
                ["Redis:Endpoint"] = "",
            });
        }, services => services.AddSingleton<IFrameSpool>(_ =>
            FileSpool.OpenWith(new SpoolOptions { Directory = spoolDirectory }, null, null, time, null, io)));
        await app.StartAsync();
        try
        {
            var spool = app.Services.GetRequiredService<IFrameSpool>();
            using var http = new HttpClient
            {
                BaseAddress = new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
            };
            Assert.Equal("ok", await http.GetStringAsync("/healthz"));

            io.FailNext(1, FailingOperation.Write, FailingFileIo.Enospc);
            Assert.Equal(SpoolAppendStatus.Unavailable, (await spool.AppendAsync(new byte[] { 1, 2, 3 }, CancellationToken.None)).Status);

            using var unhealthy = await http.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.StatusCode);
            Assert.Contains("No space left on device", await unhealthy.Content.ReadAsStringAsync());
            using var notReady = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            using (var body = JsonDocument.Parse(await notReady.Content.ReadAsStringAsync()))
            {
                var spoolState = body.RootElement.GetProperty("spool");
                Assert.False(spoolState.GetProperty("accepting").GetBoolean());
                Assert.True(spoolState.GetProperty("write_unavailable").GetBoolean());
            }

            time.Advance(SpoolWriter.MaxRetryDelay);
            Assert.Equal(SpoolAppendStatus.Committed, (await spool.AppendAsync(new byte[] { 1, 2, 3 }, CancellationToken.None)).Status);
            Assert.Equal("ok", await http.GetStringAsync("/healthz"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(spoolDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Readyz_lists_a_cursor_whose_consumer_the_host_does_not_run_with_its_drop_time()
    {
        var spoolDirectory = Path.Combine(Path.GetTempPath(), "ingest-tests", Guid.NewGuid().ToString("N"));
        await using (var spool = FileSpool.Open(new SpoolOptions { Directory = spoolDirectory }))
        {
            await spool.OpenConsumer("relay-removed-link").DisposeAsync();
            await spool.OpenConsumer("redis").DisposeAsync();
        }

        await using var server = await TestServer.StartAsync(new() { ["Spool:OrphanedCursorGrace"] = "02:00:00" }, spoolDirectory);
        using var http = await server.CreateHttpClientAsync();
        using var ready = JsonDocument.Parse(await http.GetStringAsync("/readyz"));

        var orphan = Assert.Single(ready.RootElement.GetProperty("spool").GetProperty("orphaned_consumers").EnumerateArray());
        Assert.Equal("relay-removed-link", orphan.GetProperty("name").GetString());
        var since = orphan.GetProperty("orphaned_since").GetDateTimeOffset();
        Assert.Equal(since + TimeSpan.FromHours(2), orphan.GetProperty("drop_at").GetDateTimeOffset());
        Assert.True(ready.RootElement.GetProperty("ready").GetBoolean());
    }
}
