using System.Net;
using System.Text.Json;
using Ingest.Http.Security;
using Ingest.Tests.Support;

namespace Ingest.Tests.Quality;

/// <summary>
/// <c>GET /quality/daily</c> and <c>GET /vehicles/{vin}/quality</c> on a real server over the fleet's database: the
/// figures are the fleet's, a key sees only its tenant (another tenant or its vehicles are 404), and bad arguments are 400.
/// </summary>
public sealed class QualityHttpTests : IClassFixture<QualityFleet>, IAsyncLifetime
{
    private readonly QualityFleet _fleet;
    private TestServer _server = null!;

    public QualityHttpTests(QualityFleet fleet) => _fleet = fleet;

    public async Task InitializeAsync()
    {
        var settings = SystemSettings.For(SystemSettings.UniqueNode("quality"), clickHouse: _fleet.Database);
        settings["Registry:File"] = _fleet.RegistryFile;
        settings["Quality:ScheduleEnabled"] = "false";
        // The report's query, not the sink's inserts, on a machine that may be busy building.
        settings["ClickHouse:RequestTimeout"] = "00:01:00";
        _server = await TestServer.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_tenant_key_gets_its_own_vehicles_and_groups_with_the_fleet_s_exact_figures()
    {
        using var http = await _server.CreateHttpClientAsync(await _server.CreateApiKeyAsync("oem-a", ApiScopes.HistoryRead));

        using var response = await http.GetAsync("/quality/daily?date=2026-12-05");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("2026-12-05", root.GetProperty("date").GetString());
        Assert.Equal("oem-a", root.GetProperty("tenant").GetString());
        var vehicles = root.GetProperty("vehicles").EnumerateArray().ToList();
        Assert.Equal([QualityFleet.Gb1, QualityFleet.Gb2, QualityFleet.Gb3], vehicles.Select(v => v.GetProperty("vin").GetString()));
        var faulty = vehicles[1];
        Assert.Equal((3, 2, 8, 2), (faulty.GetProperty("missing_samples").GetInt32(), faulty.GetProperty("gaps").GetInt32(),
            faulty.GetProperty("failed_samples").GetInt32(), faulty.GetProperty("fail_position").GetInt32()));
        Assert.Equal(0.2, faulty.GetProperty("missing_rate").GetDouble());
        Assert.False(vehicles[2].GetProperty("online").GetBoolean());
        var groups = root.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(["EV-1", "EV-2"], groups.Select(g => g.GetProperty("model").GetString()));
        Assert.Equal(0.0, groups[1].GetProperty("online_rate").GetDouble());
        Assert.Equal(1, groups[0].GetProperty("failures").GetProperty("cell_sum").GetInt32());
    }

    [Fact]
    public async Task Another_tenant_and_its_vehicles_are_not_found_and_an_admin_key_sees_every_vehicle()
    {
        using var tenant = await _server.CreateHttpClientAsync(await _server.CreateApiKeyAsync("oem-a", ApiScopes.HistoryRead));
        using var admin = await _server.CreateHttpClientAsync();

        using var otherTenant = await tenant.GetAsync("/quality/daily?date=2026-12-05&tenant=oem-b");
        using var otherVehicle = await tenant.GetAsync($"/vehicles/{QualityFleet.Hj1}/quality?from=2026-12-05&to=2026-12-05");
        using var all = await admin.GetAsync("/quality/daily?date=2026-12-05");
        using var oneTenant = await admin.GetAsync("/quality/daily?date=2026-12-05&tenant=oem-b");

        Assert.Equal(HttpStatusCode.NotFound, otherTenant.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherVehicle.StatusCode);
        using var allJson = JsonDocument.Parse(await all.Content.ReadAsStringAsync());
        Assert.Equal(5, allJson.RootElement.GetProperty("vehicles").GetArrayLength());
        using var oneJson = JsonDocument.Parse(await oneTenant.Content.ReadAsStringAsync());
        var hj = oneJson.RootElement.GetProperty("vehicles").EnumerateArray().Single();
        Assert.Equal((QualityFleet.Hj1, 3, 1), (hj.GetProperty("vin").GetString(), hj.GetProperty("missing_samples").GetInt32(), hj.GetProperty("fail_range").GetInt32()));
    }

    [Fact]
    public async Task A_vehicle_s_days_are_served_and_bad_arguments_or_the_wrong_scope_are_refused()
    {
        using var http = await _server.CreateHttpClientAsync(await _server.CreateApiKeyAsync("oem-a", ApiScopes.HistoryRead));
        using var stateOnly = await _server.CreateHttpClientAsync(await _server.CreateApiKeyAsync("oem-a", ApiScopes.StateRead));

        using var days = await http.GetAsync($"/vehicles/{QualityFleet.Gb2}/quality?from=2026-12-04&to=2026-12-06");
        using var badDate = await http.GetAsync("/quality/daily?date=05.12.2026");
        using var reversed = await http.GetAsync($"/vehicles/{QualityFleet.Gb2}/quality?from=2026-12-06&to=2026-12-05");
        using var tooLong = await http.GetAsync($"/vehicles/{QualityFleet.Gb2}/quality?from=2025-01-01&to=2026-12-05");
        using var forbidden = await stateOnly.GetAsync("/quality/daily?date=2026-12-05");

        Assert.Equal(HttpStatusCode.OK, days.StatusCode);
        using var json = JsonDocument.Parse(await days.Content.ReadAsStringAsync());
        var day = json.RootElement.GetProperty("days").EnumerateArray().Single().GetProperty("quality");
        Assert.Equal(("2026-12-05", 14, 3), (day.GetProperty("day").GetString(), day.GetProperty("samples").GetInt32(), day.GetProperty("missing_samples").GetInt32()));
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }
}
