using System.Net.Http;
using Ingest.Hosting;
using Ingest.Http;
using Ingest.Http.Security;
using Ingest.Sessions;
using Ingest.Spool;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ingest.Tests.Support;

/// <summary>
/// The real ingest host on loopback with ephemeral ports and a spool in a temporary folder: what a terminal
/// talks to in the session tests. Storage sinks are off unless the test configures them.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(WebApplication app, string spoolDirectory)
    {
        App = app;
        SpoolDirectory = spoolDirectory;
    }

    public WebApplication App { get; }

    public string SpoolDirectory { get; }

    public IServiceProvider Services => App.Services;

    public IFrameSpool Spool => Services.GetRequiredService<IFrameSpool>();

    public ListenerRuntime Listener(int index = 0) => Services.GetRequiredService<List<ListenerRuntime>>()[index];

    public int Port(int index = 0) => Listener(index).BoundPort;

    /// <summary>The main HTTP address as bound.</summary>
    public Uri HttpBase => Services.GetRequiredService<HttpListeners>().MainUrl!;

    private string? _adminKey;

    /// <summary>Creates an API key in this server's key store and returns the text to present.</summary>
    public async Task<string> CreateApiKeyAsync(string tenant, params string[] scopes)
    {
        var (_, secret) = await Services.GetRequiredService<ApiKeyStore>().CreateAsync(tenant, scopes, "test-" + tenant);
        return secret;
    }

    /// <summary>
    /// An HTTP client for the main address that presents <paramref name="apiKey"/>, or an admin key the server creates
    /// once for the test (every endpoint except /healthz and /readyz needs one).
    /// </summary>
    public async Task<HttpClient> CreateHttpClientAsync(string? apiKey = null, HttpMessageHandler? handler = null)
    {
        apiKey ??= _adminKey ??= await CreateApiKeyAsync("test-admin", ApiScopes.Admin);
        var http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.BaseAddress = HttpBase;
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        return http;
    }

    /// <param name="services">Replaces host services after the defaults (a clock, a spool double, a buffer pool).</param>
    public static async Task<TestServer> StartAsync(Dictionary<string, string?>? settings = null, string? spoolDirectory = null,
        Action<IServiceCollection>? services = null)
    {
        spoolDirectory ??= Path.Combine(Path.GetTempPath(), "ingest-tests", Guid.NewGuid().ToString("N"));
        var config = new Dictionary<string, string?>
        {
            ["Ingest:NodeName"] = "test-node",
            ["Ingest:HttpUrl"] = "http://127.0.0.1:0",
            ["Ingest:IdleSweepInterval"] = "00:00:00.100",
            ["Ingest:Listeners:0:Address"] = "127.0.0.1",
            ["Ingest:Listeners:0:Port"] = "0",
            // The session tests make up VINs: open, as a test bench must say explicitly (the product default is
            // Registered). A test that wants the product default passes ["Ingest:Admission"] = null.
            ["Ingest:Admission"] = "Open",
            ["Spool:Directory"] = spoolDirectory,
            ["Logging:LogLevel:Default"] = "Warning",
            // Storage is off unless a test turns it on: CI exports INGEST_ClickHouse__* and INGEST_Redis__* for the
            // sink tests, and this host must not pick those up by accident.
            ["ClickHouse:Endpoint"] = "",
            ["Redis:Endpoint"] = "",
        };
        foreach (var (k, v) in settings ?? [])
        {
            config[k] = v;
        }
        foreach (var unset in config.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
        {
            config.Remove(unset); // null means "as if not configured at all"
        }
        var app = IngestHost.Build([], c =>
        {
            // Only what the test says: no appsettings.json listeners (fixed ports) and no INGEST_* variables from CI.
            foreach (var source in c.Sources.Where(s => s is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
                or Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource).ToList())
            {
                c.Sources.Remove(source);
            }
            c.AddInMemoryCollection(config);
        }, services);
        await app.StartAsync();
        return new TestServer(app, spoolDirectory);
    }

    /// <summary>Reads every record currently in the spool through a fresh consumer.</summary>
    public async Task<List<SpoolRecord>> ReadSpoolAsync(string consumer = "test-reader", int expectAtLeast = 0, TimeSpan? timeout = null)
    {
        var records = new List<SpoolRecord>();
        await using var reader = Spool.OpenConsumer(consumer);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            using var batch = await reader.ReadAsync(10_000, TimeSpan.FromMilliseconds(200), CancellationToken.None);
            foreach (var r in batch.Records)
            {
                records.Add(r with { Payload = r.Payload.ToArray() });
            }
            if (batch.Count == 0 && (records.Count >= expectAtLeast || DateTime.UtcNow > deadline))
            {
                return records;
            }
        }
    }

    public async Task<string> GetMetricsAsync()
    {
        using var http = await CreateHttpClientAsync();
        return await http.GetStringAsync("/metrics");
    }

    /// <summary>The value of a Prometheus counter line whose name and labels contain every given fragment; 0 when absent.</summary>
    public static double MetricValue(string metrics, string name, params string[] labelFragments)
    {
        double total = 0;
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }
            if (labelFragments.All(f => line.Contains(f, StringComparison.Ordinal)))
            {
                var value = line[(line.LastIndexOf(' ') + 1)..];
                total += double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return total;
    }

    private bool _hostDisposed;

    /// <summary>Stops the host and disposes it (closing its spool), keeping the spool folder for inspection.</summary>
    public async Task StopHostAsync()
    {
        if (!_hostDisposed)
        {
            _hostDisposed = true;
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopHostAsync();
        try
        {
            Directory.Delete(SpoolDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
