using System.Net;
using System.Text.Json;
using Ingest.AlarmEvents;
using Ingest.Http.Security;
using Ingest.Registry;
using Ingest.Spool;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ingest.Tests.AlarmEvents;

/// <summary>The host with Alarms:Enabled: frames from terminals become events on GET /alarms/recent, by tenant.</summary>
public sealed class AlarmHttpTests
{
    private const string AcmeVin = "LSVACME0000000001";
    private const string BetaVin = "LSVBETA0000000001";

    [Fact]
    public async Task Recent_events_need_a_key_and_show_only_the_keys_tenant_while_admin_sees_all()
    {
        var alarmFolder = Path.Combine(Path.GetTempPath(), "ingest-tests", "alarms-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Alarms:Enabled"] = "true", ["Alarms:Directory"] = alarmFolder });
            await RecentEventsByTenantAsync(server);
        }
        finally
        {
            if (Directory.Exists(alarmFolder))
            {
                Directory.Delete(alarmFolder, recursive: true);
            }
        }
    }

    private static async Task RecentEventsByTenantAsync(TestServer server)
    {
        var detector = server.Services.GetServices<IHostedService>().OfType<AlarmDetectorService>().Single();
        await Eventually.TrueAsync(() => detector.State == SpoolConsumerState.CaughtUp, "the detector started at the spool's end");
        await server.Services.GetRequiredService<IVehicleRegistry>().UpsertAsync([new VehicleFiling(AcmeVin, "acme"), new VehicleFiling(BetaVin, "beta")]);
        foreach (var vin in new[] { AcmeVin, BetaVin })
        {
            await using var terminal = await TestTerminal.ConnectAsync(server.Port());
            await terminal.SendAsync([.. Frames.Login(vin), .. AlarmHarness.GbAlarmFrame(vin, 3, 0)]);
            Assert.NotNull(await terminal.ReadFrameAsync(TimeSpan.FromSeconds(5)));
            Assert.NotNull(await terminal.ReadFrameAsync(TimeSpan.FromSeconds(5)));
        }
        using var admin = await server.CreateHttpClientAsync();
        using var acme = await server.CreateHttpClientAsync(await server.CreateApiKeyAsync("acme", ApiScopes.StateRead));
        using var anonymous = new HttpClient { BaseAddress = server.HttpBase };

        await Eventually.TrueAsync(async () => (await VinsAsync(admin)).Count == 2, "both level-3 starts are recent");
        Assert.Equal([AcmeVin], await VinsAsync(acme));
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/alarms/recent")).StatusCode);
        Assert.Contains("\"alarms\"", await anonymous.GetStringAsync("/readyz"), StringComparison.Ordinal);
    }

    private static async Task<List<string>> VinsAsync(HttpClient client)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync("/alarms/recent?limit=10"));
        return json.RootElement.EnumerateArray().Select(e => e.GetProperty("vin").GetString()!).Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task Without_Alarms_Enabled_recent_events_answer_404()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = await server.CreateHttpClientAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/alarms/recent")).StatusCode);
    }
}
