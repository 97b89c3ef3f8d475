namespace Ingest.Tests.Infrastructure;

/// <summary>Where the shared ClickHouse and Redis of this test run are.</summary>
public sealed record ServiceEndpoints(Uri ClickHouse, string ClickHouseUser, string ClickHousePassword, string Redis);

/// <summary>
/// The real ClickHouse and Redis the storage tests use. Endpoints come from the same variables the host reads
/// (<c>INGEST_ClickHouse__Endpoint</c>, <c>INGEST_Redis__Endpoint</c>), as <c>.ci/run</c> exports them. When they are
/// missing, the services are started with <c>scripts/services.sh start</c> (and left running for the next run); when
/// that fails the tests fail with the script's message. Tests never skip silently.
/// </summary>
public static class TestServices
{
    private static readonly Lazy<Task<ServiceEndpoints>> Shared = new(ResolveAsync);

    public static Task<ServiceEndpoints> GetAsync() => Shared.Value;

    private static async Task<ServiceEndpoints> ResolveAsync()
    {
        var variables = ReadEnvironment(Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? ""));
        if (!variables.ContainsKey("INGEST_ClickHouse__Endpoint") || !variables.ContainsKey("INGEST_Redis__Endpoint"))
        {
            try
            {
                await ServicesScript.RunAsync(null, "start");
                variables = ParseExports(await ServicesScript.RunAsync(null, "env"));
            }
            catch (Exception exception)
            {
                throw new InvalidOperationException(
                    "Storage tests need real ClickHouse and Redis. Set INGEST_ClickHouse__Endpoint and INGEST_Redis__Endpoint " +
                    "(eval \"$(scripts/services.sh env)\"), or let the tests start them: run 'scripts/services.sh install' once as root. " +
                    "Starting them failed: " + exception.Message, exception);
            }
        }
        return new ServiceEndpoints(
            new Uri(variables["INGEST_ClickHouse__Endpoint"]),
            variables.GetValueOrDefault("INGEST_ClickHouse__User") is { Length: > 0 } user ? user : "default",
            variables.GetValueOrDefault("INGEST_ClickHouse__Password") ?? "",
            variables["INGEST_Redis__Endpoint"]);
    }

    private static Dictionary<string, string> ReadEnvironment(Dictionary<string, string> all) =>
        all.Where(e => e.Key.StartsWith("INGEST_", StringComparison.Ordinal) && e.Value.Length > 0)
            .ToDictionary(e => e.Key, e => e.Value);

    /// <summary>Reads the <c>export NAME=value</c> lines that <c>scripts/services.sh env</c> prints.</summary>
    public static Dictionary<string, string> ParseExports(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith("export ", StringComparison.Ordinal))
            {
                continue;
            }
            var assignment = line["export ".Length..];
            int equals = assignment.IndexOf('=');
            if (equals > 0)
            {
                result[assignment[..equals]] = assignment[(equals + 1)..];
            }
        }
        return result;
    }
}
