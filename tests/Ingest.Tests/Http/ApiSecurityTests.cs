using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ingest.Http.Security;
using Ingest.Registry;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Support;
using Ingest.Tools;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingest.Tests.Http;

/// <summary>
/// API keys, scopes and tenants on the real server over real HTTP: what answers 401, 403 and 404, that keys live
/// hashed in their file and are revoked without a restart, the registry endpoints' rules, and the audit events.
/// </summary>
[Collection(Ingest.Tests.SystemTests.ProcessWideMetrics.Name)] // exact totals on /metrics
public class ApiSecurityTests
{
    private const string AcmeVin = "LACME000000000001";
    private const string BetaVin = "LBETA000000000001";
    private const string UnfiledVin = "LNOFILE0000000001";

    /// <summary>Health, readiness and the status page's static files (they name nothing; its numbers come from /status).</summary>
    private static readonly string[] OpenPaths = ["/healthz", "/readyz", "/", "/ui/status.js", "/ui/status.css"];

    [Fact]
    public async Task Every_mapped_endpoint_except_health_readiness_and_the_status_page_files_answers_401_without_a_key_or_with_a_bad_one()
    {
        await using var server = await TestServer.StartAsync();
        var routes = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Route: e.RoutePattern.RawText!)))
            .ToList();
        // The surface the test must cover: a smaller list means routes were not found, not that they are safe.
        foreach (var expected in new[] { "/metrics", "/vehicles/{vin}/state", "/vehicles/online", "/vehicles/{vin}/frames", "/registry/vehicles/{vin}", "/admin/keys", "/openapi/{documentName}.json", "/status", "/vehicles/{vin}/commands" })
        {
            Assert.Contains(routes, r => r.Route.TrimEnd('/') == expected);
        }
        using var anonymous = new HttpClient { BaseAddress = server.HttpBase };
        using var unknown = await server.CreateHttpClientAsync("ik_0123456789ab_" + new string('A', 43));
        using var malformed = await server.CreateHttpClientAsync("not-a-key");
        foreach (var (method, route) in routes)
        {
            var path = Concrete(route);
            foreach (var (client, who) in new[] { (anonymous, "no key"), (unknown, "unknown key"), (malformed, "malformed key") })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "PUT" or "POST")
                {
                    request.Content = new StringContent(route.Contains("import") ? "[]" : "{}", Encoding.UTF8, "application/json");
                }
                using var response = await client.SendAsync(request);
                if (OpenPaths.Contains(path))
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }
                else
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with {who} answered {(int)response.StatusCode}");
                    Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
                }
            }
        }
        var metrics = await server.GetMetricsAsync();
        Assert.True(TestServer.MetricValue(metrics, "ingest_http_auth_failures", "reason=\"missing\"") >= routes.Count - OpenPaths.Length);
        Assert.True(TestServer.MetricValue(metrics, "ingest_http_auth_failures", "reason=\"unknown\"") >= routes.Count - OpenPaths.Length);
        Assert.True(TestServer.MetricValue(metrics, "ingest_http_auth_failures", "reason=\"malformed\"") >= routes.Count - OpenPaths.Length);
    }

    [Fact]
    public async Task With_no_keys_configured_every_protected_endpoint_answers_401()
    {
        await using var server = await TestServer.StartAsync();
        Assert.False(server.Services.GetRequiredService<ApiKeyStore>().AnyActive);
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/vehicles/online")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/no/such/path")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task A_key_without_the_endpoints_scope_answers_403()
    {
        await using var server = await TestServer.StartAsync();
        using var history = await server.CreateHttpClientAsync(await server.CreateApiKeyAsync("acme", ApiScopes.HistoryRead));
        using var state = await server.CreateHttpClientAsync(await server.CreateApiKeyAsync("acme", ApiScopes.StateRead));

        Assert.Equal(HttpStatusCode.Forbidden, (await history.GetAsync($"/vehicles/{AcmeVin}/state")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await history.GetAsync("/vehicles/online")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await state.GetAsync($"/vehicles/{AcmeVin}/frames")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await state.GetAsync("/registry/vehicles")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await state.PutAsJsonAsync($"/registry/vehicles/{AcmeVin}", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await state.GetAsync("/admin/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await state.GetAsync("/metrics")).StatusCode);
        // Any valid key may read the API description.
        Assert.Equal(HttpStatusCode.OK, (await state.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.True(TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_http_auth_forbidden") >= 7);
    }

    [Fact]
    public async Task A_key_sees_its_tenants_vehicles_only_and_another_tenants_vin_answers_404_while_admin_sees_all()
    {
        await using var server = await TestServer.StartAsync();
        var registry = server.Services.GetRequiredService<IVehicleRegistry>();
        await registry.UpsertAsync([new VehicleFiling(AcmeVin, "acme"), new VehicleFiling(BetaVin, "beta")]);
        foreach (var vin in new[] { AcmeVin, BetaVin })
        {
            await using var terminal = await TestTerminal.ConnectAsync(server.Port());
            {
                await terminal.SendAsync([.. Frames.Login(vin), .. Frames.Realtime(vin)]);
                Assert.NotNull(await terminal.ReadFrameAsync(TimeSpan.FromSeconds(5)));
                Assert.NotNull(await terminal.ReadFrameAsync(TimeSpan.FromSeconds(5)));
            }
        }
        using var admin = await server.CreateHttpClientAsync();
        using var acme = await server.CreateHttpClientAsync(await server.CreateApiKeyAsync("acme", ApiScopes.StateRead, ApiScopes.HistoryRead));
        await Eventually.TrueAsync(async () => (await admin.GetAsync($"/vehicles/{BetaVin}/state")).StatusCode == HttpStatusCode.OK
            && (await admin.GetAsync($"/vehicles/{AcmeVin}/state")).StatusCode == HttpStatusCode.OK, "both vehicles have a state");

        Assert.Equal(HttpStatusCode.OK, (await acme.GetAsync($"/vehicles/{AcmeVin}/state")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync($"/vehicles/{BetaVin}/state")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync($"/vehicles/{UnfiledVin}/state")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync($"/vehicles/{BetaVin}/frames")).StatusCode);
        // Past the tenant check, the history endpoint answers as it does for everyone without ClickHouse.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await acme.GetAsync($"/vehicles/{AcmeVin}/frames")).StatusCode);

        // Readiness is open, so it must not name a vehicle.
        using (var anonymous = new HttpClient { BaseAddress = server.HttpBase })
        {
            var ready = await anonymous.GetStringAsync("/readyz");
            Assert.DoesNotContain(AcmeVin, ready, StringComparison.Ordinal);
            Assert.DoesNotContain(BetaVin, ready, StringComparison.Ordinal);
        }

        Assert.Equal([AcmeVin], await OnlineVinsAsync(acme));
        Assert.Equal([AcmeVin, BetaVin], (await OnlineVinsAsync(admin)).Order(StringComparer.Ordinal));
        Assert.Equal(3, TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_http_tenant_hidden"));
    }

    [Fact]
    public async Task A_revoked_key_answers_401_at_once_whether_revoked_over_http_or_with_the_command()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = await server.CreateHttpClientAsync();
        using var created = await admin.PostAsJsonAsync("/admin/keys", new { tenant = "acme", scopes = new[] { "state:read" }, name = "portal" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var id = body.RootElement.GetProperty("api_key").GetProperty("id").GetString()!;
        using var portal = await server.CreateHttpClientAsync(body.RootElement.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.OK, (await portal.GetAsync("/vehicles/online")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/admin/keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.GetAsync("/vehicles/online")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/admin/keys/000000000000")).StatusCode);

        // The command line changes the file under the running server, which applies it at its next request.
        var output = new StringWriter();
        Assert.Equal(0, await IngestCommandLine.RunAsync(["keys", "create", "--tenant", "acme", "--scopes", "state:read", "--spool-dir", server.SpoolDirectory],
            output, new StringWriter()));
        var cliKey = output.ToString().Split('\n').Single(l => l.StartsWith("key ", StringComparison.Ordinal))[4..].Trim();
        var cliId = output.ToString().Split('\n').Single(l => l.StartsWith("id ", StringComparison.Ordinal))[3..].Trim();
        using var cli = await server.CreateHttpClientAsync(cliKey);
        Assert.Equal(HttpStatusCode.OK, (await cli.GetAsync("/vehicles/online")).StatusCode);
        Assert.Equal(0, await IngestCommandLine.RunAsync(["keys", "revoke", cliId, "--spool-dir", server.SpoolDirectory], new StringWriter(), new StringWriter()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await cli.GetAsync("/vehicles/online")).StatusCode);
        Assert.Equal(2, TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_http_auth_failures", "reason=\"revoked\""));

        using var list = JsonDocument.Parse(await admin.GetStringAsync("/admin/keys"));
        Assert.All(list.RootElement.EnumerateArray().Where(k => k.GetProperty("id").GetString() is { } i && (i == id || i == cliId)),
            k => Assert.NotEqual(JsonValueKind.Null, k.GetProperty("revoked_at").ValueKind));
    }

    [Fact]
    public async Task The_keys_command_refuses_an_unknown_scope_and_an_empty_tenant_with_exit_code_2()
    {
        var folder = Directory.CreateTempSubdirectory("ingest-keys-").FullName;
        try
        {
            var error = new StringWriter();
            Assert.Equal(IngestCommandLine.WrongArguments, await IngestCommandLine.RunAsync(
                ["keys", "create", "--tenant", "acme", "--scopes", "state:read,everything", "--spool-dir", folder], new StringWriter(), error));
            Assert.Contains("'everything' is not a scope", error.ToString(), StringComparison.Ordinal);
            Assert.Equal(IngestCommandLine.WrongArguments, await IngestCommandLine.RunAsync(
                ["keys", "create", "--tenant", " ", "--scopes", "admin", "--spool-dir", folder], new StringWriter(), new StringWriter()));
            Assert.False(File.Exists(Path.Combine(folder, "api-keys.json")));
            Assert.Equal(1, await IngestCommandLine.RunAsync(["keys", "revoke", "0123456789ab", "--spool-dir", folder], new StringWriter(), new StringWriter()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_openapi_document_describes_the_key_schemes_and_marks_health_and_readiness_open()
    {
        await using var server = await TestServer.StartAsync();
        using var http = await server.CreateHttpClientAsync(await server.CreateApiKeyAsync("acme", ApiScopes.StateRead));
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;
        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty(ApiKeyOpenApi.BearerScheme).GetProperty("scheme").GetString());
        Assert.Equal("X-Api-Key", schemes.GetProperty(ApiKeyOpenApi.HeaderScheme).GetProperty("name").GetString());
        Assert.Equal(2, root.GetProperty("security").GetArrayLength());
        Assert.Equal(0, root.GetProperty("paths").GetProperty("/healthz").GetProperty("get").GetProperty("security").GetArrayLength());
        Assert.Equal(0, root.GetProperty("paths").GetProperty("/readyz").GetProperty("get").GetProperty("security").GetArrayLength());
        Assert.False(root.GetProperty("paths").GetProperty("/vehicles/online").GetProperty("get").TryGetProperty("security", out _));
    }

    [Fact]
    public async Task Keys_are_stored_as_sha256_digests_never_as_secrets()
    {
        await using var server = await TestServer.StartAsync();
        var key = await server.CreateApiKeyAsync("acme", ApiScopes.StateRead);
        Assert.True(ApiKeyStore.TrySplit(key, out _, out var secretSpan));
        var secret = secretSpan.ToString();
        var file = await File.ReadAllTextAsync(Path.Combine(server.SpoolDirectory, "api-keys.json"));

        Assert.DoesNotContain(secret, file, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), file, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(server.SpoolDirectory, "api-keys.json")));
        }
        // The same id with another secret is refused.
        using var forged = await server.CreateHttpClientAsync(key[..16] + new string('x', 43));
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/vehicles/online")).StatusCode);
        Assert.Equal(1, TestServer.MetricValue(await server.GetMetricsAsync(), "ingest_http_auth_failures", "reason=\"wrong_secret\""));
    }

    [Fact]
    public async Task The_x_api_key_header_is_accepted_as_well_as_bearer()
    {
        await using var server = await TestServer.StartAsync();
        var key = await server.CreateApiKeyAsync("acme", ApiScopes.StateRead);
        using var http = new HttpClient { BaseAddress = server.HttpBase };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/vehicles/online")).StatusCode);
    }

    [Fact]
    public async Task Metrics_on_their_own_address_need_no_key_there_and_an_admin_key_on_the_main_address()
    {
        await using var server = await TestServer.StartAsync(new() { ["Http:MetricsUrl"] = "http://127.0.0.1:0" });
        var metricsUrl = server.Services.GetRequiredService<Ingest.Http.HttpListeners>().MetricsUrl!;
        Assert.NotEqual(server.HttpBase.Port, metricsUrl.Port);
        using var scraper = new HttpClient { BaseAddress = metricsUrl };
        using var scrape = await scraper.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("# TYPE", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Only /metrics there, even for a caller with an admin key.
        using var adminOnMetrics = await server.CreateHttpClientAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await scraper.GetAsync("/vehicles/online")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminOnMetrics.GetAsync(new Uri(metricsUrl, "/admin/keys"))).StatusCode);
        // A Host header naming the metrics port does not open the main address.
        using var anonymous = new HttpClient { BaseAddress = server.HttpBase };
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        spoofed.Headers.Host = $"127.0.0.1:{metricsUrl.Port}";
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(spoofed)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await adminOnMetrics.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Registry_endpoints_add_read_list_change_import_and_remove_within_the_keys_tenant()
    {
        await using var server = await TestServer.StartAsync();
        var registry = server.Services.GetRequiredService<IVehicleRegistry>();
        using var admin = await server.CreateHttpClientAsync();
        using var acme = await server.CreateHttpClientAsync(await server.CreateApiKeyAsync("acme", ApiScopes.RegistryWrite));
        var key = "04" + new string('a', 128);

        using (var added = await acme.PutAsJsonAsync($"/registry/vehicles/{AcmeVin}",
            new { iccid = "89860000000000000001", chip_id = "CHIP-1", sm2_public_key = new string('b', 128), model = "M1", platforms = new[] { "nat" } }))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        }
        Assert.True(registry.TryGet(AcmeVin, out var filing));
        Assert.Equal("acme", filing.Tenant); // filled from the key
        Assert.Equal(65, filing.Sm2PublicKey!.Length); // 64 bytes X || Y got the 04 prefix
        Assert.Equal(0x04, filing.Sm2PublicKey[0]);
        using (var read = JsonDocument.Parse(await acme.GetStringAsync($"/registry/vehicles/{AcmeVin}")))
        {
            Assert.Equal("89860000000000000001", read.RootElement.GetProperty("iccid").GetString());
            Assert.Equal("04" + new string('b', 128), read.RootElement.GetProperty("sm2_public_key").GetString());
            Assert.Equal("nat", read.RootElement.GetProperty("platforms")[0].GetString());
        }
        using (var replaced = await acme.PutAsJsonAsync($"/registry/vehicles/{AcmeVin}", new { tenant = "acme", sm2_public_key = key, model = "M2" }))
        {
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        }
        Assert.True(registry.TryGet(AcmeVin, out filing));
        Assert.Equal("M2", filing.Model);

        // Validation: one problem per field, nothing changed.
        await AssertProblemAsync(await acme.PutAsJsonAsync($"/registry/vehicles/{BetaVin}", new { tenant = "beta" }), "tenant");
        await AssertProblemAsync(await acme.PutAsJsonAsync("/registry/vehicles/SHORTVIN", new { }), "vin");
        await AssertProblemAsync(await acme.PutAsJsonAsync($"/registry/vehicles/{BetaVin}", new { sm2_public_key = "05" + new string('a', 128) }), "sm2_public_key");
        await AssertProblemAsync(await acme.PutAsJsonAsync($"/registry/vehicles/{BetaVin}", new { iccid = "12" }), "iccid");
        await AssertProblemAsync(await acme.PutAsJsonAsync($"/registry/vehicles/{BetaVin}", new { vin = AcmeVin }), "vin");
        await AssertProblemAsync(await admin.PutAsJsonAsync($"/registry/vehicles/{BetaVin}", new { }), "tenant"); // admin names the tenant
        Assert.False(registry.TryGet(BetaVin, out _));

        // Another tenant's vehicle is invisible: read, change and remove all answer 404.
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsJsonAsync($"/registry/vehicles/{BetaVin}", new { tenant = "beta" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync($"/registry/vehicles/{BetaVin}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.PutAsJsonAsync($"/registry/vehicles/{BetaVin}", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.DeleteAsync($"/registry/vehicles/{BetaVin}")).StatusCode);
        Assert.True(registry.TryGet(BetaVin, out filing));
        Assert.Equal("beta", filing.Tenant);

        // Bulk import: all or nothing.
        var imported = Enumerable.Range(2, 3).Select(i => new { vin = $"LACME00000000000{i}" }).ToArray();
        Assert.Equal(HttpStatusCode.NotFound, (await acme.PostAsJsonAsync("/registry/vehicles:import", imported.Append(new { vin = BetaVin }))).StatusCode);
        await AssertProblemAsync(await acme.PostAsJsonAsync("/registry/vehicles:import", imported.Append(new { vin = "BAD" })), "[3].vin");
        Assert.Equal(2, registry.Count);
        using (var ok = await acme.PostAsJsonAsync("/registry/vehicles:import", imported))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        Assert.Equal(5, registry.Count);

        // CSV import (the Registry:ImportCsv format): all or nothing, problems by line and column, own tenant only.
        const string header = "vin,tenant,iccid,chip_id,sm2_public_key,model,platforms\n";
        using (var bad = await acme.PostAsync("/registry/vehicles:import-csv",
            new StringContent(header + "LACME000000000006,acme,,,,M3,\nLACME000000000007,acme,,,zz,M3,\n", System.Text.Encoding.UTF8, "text/csv")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("line 3", await bad.Content.ReadAsStringAsync());
        }
        using (var other = await acme.PostAsync("/registry/vehicles:import-csv",
            new StringContent(header + "LACME000000000006,beta,,,,M3,\n", System.Text.Encoding.UTF8, "text/csv")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await acme.PostAsync("/registry/vehicles:import-csv",
            new StringContent(header + $"{BetaVin},acme,,,,M3,\n", System.Text.Encoding.UTF8, "text/csv"))).StatusCode);
        Assert.Equal(5, registry.Count);
        using (var csv = await acme.PostAsync("/registry/vehicles:import-csv",
            new StringContent(header + "LACME000000000006,acme,,CHIP-6,,M3,nat;prov\n", System.Text.Encoding.UTF8, "text/csv")))
        {
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        }
        Assert.True(registry.TryGet("LACME000000000006", out var fromCsv));
        Assert.Equal(("acme", "CHIP-6", 2), (fromCsv.Tenant, fromCsv.ChipId, fromCsv.Platforms.Count));
        Assert.Equal(HttpStatusCode.NoContent, (await acme.DeleteAsync("/registry/vehicles/LACME000000000006")).StatusCode);

        // Listing is per tenant and paged.
        using (var page = JsonDocument.Parse(await acme.GetStringAsync("/registry/vehicles?limit=3")))
        {
            Assert.Equal(3, page.RootElement.GetProperty("vehicles").GetArrayLength());
            var next = page.RootElement.GetProperty("next").GetString();
            using var rest = JsonDocument.Parse(await acme.GetStringAsync($"/registry/vehicles?limit=3&after={next}"));
            Assert.Single(rest.RootElement.GetProperty("vehicles").EnumerateArray());
            Assert.Equal(JsonValueKind.Null, rest.RootElement.GetProperty("next").ValueKind);
        }
        using (var all = JsonDocument.Parse(await admin.GetStringAsync("/registry/vehicles")))
        {
            Assert.Equal(5, all.RootElement.GetProperty("vehicles").GetArrayLength());
        }

        Assert.Equal(HttpStatusCode.NoContent, (await acme.DeleteAsync($"/registry/vehicles/{AcmeVin}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync($"/registry/vehicles/{AcmeVin}")).StatusCode);
        Assert.False(registry.TryGet(AcmeVin, out _));
    }

    [Fact]
    public async Task Audit_events_name_the_key_and_what_it_changed_or_read()
    {
        var capture = new LogCapture();
        await using var server = await TestServer.StartAsync(new() { ["Logging:LogLevel:Ingest.Audit"] = "Information" },
            services: s => s.AddSingleton<ILoggerProvider>(capture));
        using var admin = await server.CreateHttpClientAsync();
        using var created = await admin.PostAsJsonAsync("/admin/keys", new { tenant = "acme", scopes = new[] { "state:read", "history:read", "registry:write" }, name = "portal" });
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var id = body.RootElement.GetProperty("api_key").GetProperty("id").GetString()!;
        using var portal = await server.CreateHttpClientAsync(body.RootElement.GetProperty("key").GetString());

        Assert.Equal(HttpStatusCode.Created, (await portal.PutAsJsonAsync($"/registry/vehicles/{AcmeVin}", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await portal.PostAsJsonAsync("/registry/vehicles:import",
            new[] { new { vin = "LACME000000000002" }, new { vin = "LACME000000000003" } })).StatusCode);
        await portal.GetAsync($"/vehicles/{AcmeVin}/state");
        await portal.GetAsync($"/vehicles/{AcmeVin}/frames?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z&limit=10");
        await portal.GetAsync($"/vehicles/{BetaVin}/state");
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/admin/keys/{id}")).StatusCode);

        Assert.True(capture.Entries.Any(e => e.Category == AuditLog.Category),
            string.Join('\n', capture.Entries.Select(e => $"{e.Category} {e.EventId} {e.Message}")));
        var adminId = server.Services.GetRequiredService<ApiKeyStore>().List().Single(k => k.IsAdmin).Id;
        var keyCreated = Assert.Single(capture.Events(AuditLog.Category, 1350), e => (string?)e.Fields["KeyId"] == id);
        Assert.Equal(adminId, keyCreated.Fields["ActorId"]);
        Assert.Equal("portal", keyCreated.Fields["KeyName"]);
        var changes = capture.Events(AuditLog.Category, 1352).ToList();
        Assert.Contains(changes, e => (string?)e.Fields["Action"] == "add" && (string?)e.Fields["Vins"] == AcmeVin && (string?)e.Fields["ActorId"] == id
            && (string?)e.Fields["ActorName"] == "portal");
        Assert.Contains(changes, e => (string?)e.Fields["Action"] == "import" && (int?)e.Fields["Count"] == 2 && (string?)e.Fields["Tenant"] == "acme");
        Assert.Contains(capture.Events(AuditLog.Category, 1353), e => (string?)e.Fields["Vin"] == AcmeVin && (string?)e.Fields["ActorId"] == id);
        var history = Assert.Single(capture.Events(AuditLog.Category, 1354));
        Assert.Equal(AcmeVin, history.Fields["Vin"]);
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), history.Fields["From"]);
        Assert.Equal(10, history.Fields["Limit"]);
        Assert.Contains(capture.Events(AuditLog.Category, 1357), e => (string?)e.Fields["Vin"] == BetaVin && (string?)e.Fields["ActorId"] == id);
        Assert.Single(capture.Events(AuditLog.Category, 1351), e => (string?)e.Fields["KeyId"] == id && (string?)e.Fields["ActorId"] == adminId);
    }

    private static async Task<List<string>> OnlineVinsAsync(HttpClient http)
    {
        using var online = JsonDocument.Parse(await http.GetStringAsync("/vehicles/online"));
        return online.RootElement.EnumerateArray().Select(v => v.GetProperty("vin").GetString()!).ToList();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, string field)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>A request path for a route template: every parameter gets a value of its kind.</summary>
    private static string Concrete(string route) => "/" + string.Join('/', route.TrimStart('/').Split('/').Select(segment => segment switch
    {
        "{vin}" => AcmeVin,
        "{id}" => "0123456789ab",
        "{documentName}.json" => "v1.json",
        _ when segment.Contains('{', StringComparison.Ordinal) => throw new InvalidOperationException($"no value for the route parameter in {route}: add one here"),
        _ => segment,
    }));
}
