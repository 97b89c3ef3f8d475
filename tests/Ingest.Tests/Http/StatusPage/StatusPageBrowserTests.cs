using System.Net;
using System.Net.Http;
using System.Text.Json;
using Ingest.Http.Security;
using Ingest.Registry;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using LoadGen.Frames;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Ingest.Tests.Http.StatusPage;

/// <summary>
/// The status page in a real headless Chromium: it asks for a key, shows the numbers GET /status reports, and keeps
/// updating without a reload while a fleet sends frames. The browser's own complaints (script errors, refused
/// content under the page's Content-Security-Policy) fail the test.
/// </summary>
public sealed class StatusPageBrowserTests(ITestOutputHelper output)
{
    [BrowserFact]
    public async Task The_page_shows_what_the_api_reports_and_updates_while_a_fleet_runs()
    {
        await using var server = await TestServer.StartAsync(SystemSettings.For(SystemSettings.UniqueNode("page")));
        var key = await server.CreateApiKeyAsync("ops", ApiScopes.StateRead);
        using var api = await server.CreateHttpClientAsync(key);
        await using var browser = await HeadlessChromium.StartAsync();
        try
        {
            await browser.NavigateAsync(server.HttpBase);
            Assert.False(await Evaluate<bool>(browser, "document.getElementById('key-form').hidden"), "the page asks for a key first");
            Assert.True(await Evaluate<bool>(browser, "document.getElementById('dashboard').hidden"));
            await browser.EvaluateAsync($"document.getElementById('api-key').value = {JsonSerializer.Serialize(key)}; " +
                "document.getElementById('key-form').requestSubmit(); true");
            // Survives only as long as the document does: a reload would lose it.
            await browser.EvaluateAsync("window.loadedOnce = 'yes'");
            await Eventually.TrueAsync(async () => !await Evaluate<bool>(browser, "document.getElementById('dashboard').hidden"),
                "the dashboard shown once /status answered");

            await using var fleet = RecordingFleet.Start(new RecordingFleetOptions
            {
                Terminals = [TerminalProtocol.Gb2016, TerminalProtocol.Gb2025, TerminalProtocol.Hj1239],
                GbPort = server.Port(0),
                HjPort = server.Port(1),
                FrameInterval = TimeSpan.FromMilliseconds(50),
            });
            // The page's key is a tenant's (state:read, not admin): it lists the tenant's filed vehicles only.
            await server.Services.GetRequiredService<IVehicleRegistry>().UpsertAsync([.. fleet.Vins.Select(v => new VehicleFiling(v, "ops"))]);
            double shown = 0;
            await Eventually.TrueAsync(async () => (shown = await FieldAsync(browser, "frames.total")) > 0, "frames counted on the page");
            await Eventually.TrueAsync(async () => await FieldAsync(browser, "frames.total") > shown, "the page's frame count going up on its own");
            string listed = "";
            await Eventually.TrueAsync(async () =>
            {
                listed = (await browser.EvaluateAsync(
                    "Array.from(document.querySelectorAll('#vehicles tbody tr[data-key]')).map(r => r.dataset.key).sort().join(',')")).GetString()!;
                return listed == string.Join(',', fleet.Vins.Order(StringComparer.Ordinal));
            }, "the fleet's vehicles listed as online").ContinueWith(t => Assert.True(t.IsCompletedSuccessfully,
                $"listed {listed}, fleet {string.Join(',', fleet.Vins)}, /status {StatusEndpointTests.GetStatusAsync(api, "/status").Result.GetProperty("vehicles")}"));
            Assert.True(await FieldAsync(browser, "frames.per_second") > 0, "frames per second shown while the fleet runs");

            // The search narrows the list to the vehicle typed (part of its VIN).
            var vin = fleet.Vins[1];
            await browser.EvaluateAsync($"(() => {{ const s = document.getElementById('vin-search'); s.value = {JsonSerializer.Serialize(vin[^6..])}; " +
                "s.dispatchEvent(new Event('input')); return true; })()");
            await Eventually.TrueAsync(async () => (await browser.EvaluateAsync(
                    "Array.from(document.querySelectorAll('#vehicles tbody tr[data-key]')).map(r => r.dataset.key).join(',')")).GetString() == vin,
                $"only {vin} listed after searching for it");

            await fleet.StopAsync();
            // With the fleet stopped the totals stand still: the page must show exactly what the API says.
            JsonElement status = default;
            await Eventually.TrueAsync(async () =>
            {
                status = await StatusEndpointTests.GetStatusAsync(api, "/status");
                return await FieldAsync(browser, "frames.total") == status.GetProperty("frames").GetProperty("total").GetInt64()
                    && await FieldAsync(browser, "sessions") == status.GetProperty("sessions").GetInt32();
            }, "the page's totals equal /status's");
            foreach (var listener in status.GetProperty("listeners").EnumerateArray())
            {
                var name = listener.GetProperty("name").GetString()!;
                var cells = await CellsAsync(browser, "listeners", name);
                Assert.Equal(
                    [name, listener.GetProperty("protocol").GetString()!, listener.GetProperty("port").ToString(),
                        listener.GetProperty("connections_active").ToString(), listener.GetProperty("connections_max").ToString(),
                        listener.GetProperty("connections_opened").ToString(), listener.GetProperty("connections_refused").ToString(),
                        listener.GetProperty("logins").ToString()],
                    cells);
            }
            Assert.True(status.GetProperty("listeners").EnumerateArray().Sum(l => l.GetProperty("logins").GetInt64()) >= 3);
            foreach (var consumer in status.GetProperty("spool").GetProperty("consumers").EnumerateArray())
            {
                var cells = await CellsAsync(browser, "consumers", consumer.GetProperty("name").GetString()!);
                Assert.Equal(consumer.GetProperty("state").GetString(), cells[1]);
            }
            Assert.Equal(status.GetProperty("spool").GetProperty("disk_bytes").GetInt64(), await FieldAsync(browser, "spool.disk_bytes"));
            Assert.Equal("yes", (await browser.EvaluateAsync("document.querySelector('[data-field=\"spool.accepting\"]').textContent")).GetString());
            Assert.Equal(status.GetProperty("node").GetString(), (await browser.EvaluateAsync("document.getElementById('node').textContent")).GetString());

            // Recent alarm events come from GET /alarms/recent; a node without it shows an empty list and says so.
            using var alarms = await api.GetAsync("/alarms/recent?limit=20");
            if (alarms.StatusCode == HttpStatusCode.NotFound)
            {
                Assert.Equal("This node does not report alarm events.",
                    (await browser.EvaluateAsync("document.getElementById('alarms-note').textContent")).GetString());
                Assert.Equal(0, await Evaluate<int>(browser, "document.querySelectorAll('#alarms tbody tr[data-key]').length"));
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, alarms.StatusCode);
            }

            Assert.Equal("yes", (await browser.EvaluateAsync("window.loadedOnce")).GetString());
            // The only complaints allowed are the browser's notes on the 404 of a node without alarm events.
            Assert.Empty(browser.Problems.Where(p => !p.Contains("404", StringComparison.Ordinal)));
        }
        finally
        {
            foreach (var problem in browser.Problems.GroupBy(p => p))
            {
                output.WriteLine($"browser ({problem.Count()}x): {problem.Key}");
            }
        }
    }

    [BrowserFact]
    public async Task An_alarm_event_shows_in_the_recent_alarms_table_as_the_api_lists_it()
    {
        var settings = SystemSettings.For(SystemSettings.UniqueNode("page-alarms"));
        settings["Alarms:Enabled"] = "true";
        settings["Alarms:SilenceTimeout"] = "00:00:02";
        await using var server = await TestServer.StartAsync(settings);
        var key = await server.CreateApiKeyAsync("ops", ApiScopes.StateRead);
        using var api = await server.CreateHttpClientAsync(key);
        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(server.HttpBase);
        await browser.EvaluateAsync($"document.getElementById('api-key').value = {JsonSerializer.Serialize(key)}; " +
            "document.getElementById('key-form').requestSubmit(); true");

        // A vehicle that reports and then goes quiet without logging out: a silence event starts after 2 s.
        string vin;
        await using (var fleet = RecordingFleet.Start(new RecordingFleetOptions
        {
            Terminals = [TerminalProtocol.Gb2016],
            GbPort = server.Port(0),
            HjPort = server.Port(1),
            FrameInterval = TimeSpan.FromMilliseconds(50),
            DataFramesPerTerminal = 5,
            Logout = false,
        }))
        {
            vin = fleet.Vins.Single();
            await server.Services.GetRequiredService<IVehicleRegistry>().UpsertAsync([new VehicleFiling(vin, "ops")]);
            await Eventually.TrueAsync(() => fleet.Acknowledged >= 5, "the vehicle's frames acknowledged");
        }

        JsonElement listed = default;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await api.GetAsync("/alarms/recent?limit=20");
            listed = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return response.StatusCode == HttpStatusCode.OK && listed.GetArrayLength() > 0;
        }, "the silence event listed by the API", TimeSpan.FromSeconds(30));
        var started = listed.EnumerateArray().First(e => e.GetProperty("phase").GetString() == "start");
        Assert.Equal((vin, "silence"), (started.GetProperty("vin").GetString(), started.GetProperty("kind").GetString()));

        string rowKey = $"{started.GetProperty("id").GetString()} start";
        await Eventually.TrueAsync(async () => await Evaluate<bool>(browser, $"document.querySelector('#alarms tbody tr[data-key=\"{rowKey}\"]') !== null"),
            "the event's row on the page");
        var cells = await CellsAsync(browser, "alarms", rowKey);
        Assert.Equal([vin, "silence", "start"], cells[..3]);
        Assert.StartsWith(started.GetProperty("started_at").GetString()!.Substring(0, 19).Replace('T', ' '), cells[4], StringComparison.Ordinal);
        Assert.Equal("", (await browser.EvaluateAsync("document.getElementById('alarms-note').textContent")).GetString());
        Assert.Empty(browser.Problems);
    }

    [BrowserFact]
    public async Task A_refused_key_brings_the_key_form_back_and_is_forgotten()
    {
        await using var server = await TestServer.StartAsync();
        await using var browser = await HeadlessChromium.StartAsync();
        await browser.NavigateAsync(server.HttpBase);
        await browser.EvaluateAsync("document.getElementById('api-key').value = 'not-a-key'; document.getElementById('key-form').requestSubmit(); true");

        await Eventually.TrueAsync(async () => (await browser.EvaluateAsync("document.getElementById('status-line').textContent")).GetString()!
            .StartsWith("The API key was not accepted", StringComparison.Ordinal), "the page saying the key was refused");
        Assert.False(await Evaluate<bool>(browser, "document.getElementById('key-form').hidden"));
        Assert.True(await Evaluate<bool>(browser, "document.getElementById('dashboard').hidden"));
        Assert.Equal(JsonValueKind.Null, (await browser.EvaluateAsync("sessionStorage.getItem('ingest.apiKey')")).ValueKind);
    }

    private static async Task<T> Evaluate<T>(HeadlessChromium browser, string expression) =>
        (await browser.EvaluateAsync(expression)).Deserialize<T>()!;

    /// <summary>The raw value behind a data-field element (what the page was given), as a number.</summary>
    private static async Task<double> FieldAsync(HeadlessChromium browser, string field)
    {
        var text = (await browser.EvaluateAsync($"document.querySelector('[data-field=\"{field}\"]').dataset.value")).GetString();
        return string.IsNullOrEmpty(text) ? 0 : double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The text of each cell of the row keyed <paramref name="key"/> in a table.</summary>
    private static async Task<string[]> CellsAsync(HeadlessChromium browser, string table, string key)
    {
        var cells = await browser.EvaluateAsync(
            $"Array.from(document.querySelector('#{table} tbody tr[data-key=\"{key}\"]').cells).map(c => c.textContent)");
        return cells.EnumerateArray().Select(c => c.GetString()!).ToArray();
    }
}
