namespace Ingest.Tests.Infrastructure;

/// <summary>
/// A ClickHouse or Redis of its own for a test that stops and restarts it, so no other test loses its server:
/// own folder, own free ports, driven by <c>scripts/services.sh</c> like the shared one.
/// </summary>
public sealed class PrivateService : IAsyncDisposable
{
    private readonly string _service;
    private readonly Dictionary<string, string> _environment;
    private readonly string _folder;

    private PrivateService(string service)
    {
        _service = service;
        _folder = Path.Combine(Path.GetTempPath(), $"ingest-test-{service}-{Guid.NewGuid():N}"[..40]);
        _environment = new Dictionary<string, string>
        {
            ["INGEST_SERVICES_DIR"] = _folder,
            ["INGEST_CH_HTTP_PORT"] = ServicesScript.FreePort().ToString(),
            ["INGEST_CH_TCP_PORT"] = ServicesScript.FreePort().ToString(),
            ["INGEST_CH_INTERSERVER_PORT"] = ServicesScript.FreePort().ToString(),
            ["INGEST_REDIS_PORT"] = ServicesScript.FreePort().ToString(),
        };
    }

    public Uri ClickHouseEndpoint => new($"http://127.0.0.1:{_environment["INGEST_CH_HTTP_PORT"]}");

    public string RedisEndpoint => $"127.0.0.1:{_environment["INGEST_REDIS_PORT"]}";

    public static async Task<PrivateService> StartClickHouseAsync() => await StartAsync("clickhouse");

    public static async Task<PrivateService> StartRedisAsync() => await StartAsync("redis");

    public Task StartAgainAsync() => ServicesScript.RunAsync(_environment, "start", _service);

    public Task StopAsync() => ServicesScript.RunAsync(_environment, "stop", _service);

    /// <summary>SIGKILL: a crash in the middle of whatever the server was doing.</summary>
    public Task KillAsync() => ServicesScript.RunAsync(_environment, "kill", _service);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A log file still being closed: the folder is under the temp directory, leave it.
        }
    }

    private static async Task<PrivateService> StartAsync(string service)
    {
        var instance = new PrivateService(service);
        await instance.StartAgainAsync();
        return instance;
    }
}
