using System.Diagnostics;

namespace LoadGen.Tests.EndToEnd;

/// <summary>Where the real ClickHouse (HTTP) and Redis of this run are.</summary>
public sealed record LocalServiceEndpoints(Uri ClickHouse, string Redis);

/// <summary>
/// ClickHouse and Redis from the variables the server itself reads (<c>INGEST_ClickHouse__Endpoint</c>,
/// <c>INGEST_Redis__Endpoint</c>, as <c>.ci/run</c> exports them). When they are missing the services are started
/// with <c>scripts/services.sh start</c> (unless <c>status</c> finds them answering already) and their endpoints taken
/// from <c>scripts/services.sh env</c>; when that fails
/// the test fails with the script's message. Never a silent skip.
/// </summary>
public static class LocalServices
{
    private static readonly Lazy<Task<LocalServiceEndpoints>> Shared = new(ResolveAsync);

    public static Task<LocalServiceEndpoints> GetAsync() => Shared.Value;

    private static async Task<LocalServiceEndpoints> ResolveAsync()
    {
        string? clickHouse = Environment.GetEnvironmentVariable("INGEST_ClickHouse__Endpoint");
        string? redis = Environment.GetEnvironmentVariable("INGEST_Redis__Endpoint");
        if (string.IsNullOrEmpty(clickHouse) || string.IsNullOrEmpty(redis))
        {
            try
            {
                // Services already answering on the script's ports (another checkout started them) are used as they are.
                if (!await TryRunScriptAsync("status"))
                {
                    await RunScriptAsync("start");
                }
                var exports = ParseExports(await RunScriptAsync("env"));
                clickHouse = exports["INGEST_ClickHouse__Endpoint"];
                redis = exports["INGEST_Redis__Endpoint"];
            }
            catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or System.ComponentModel.Win32Exception)
            {
                throw new InvalidOperationException(
                    "The end-to-end test needs real ClickHouse and Redis on loopback. Set INGEST_ClickHouse__Endpoint and " +
                    "INGEST_Redis__Endpoint (eval \"$(scripts/services.sh env)\"), or let the test start them: run " +
                    "'scripts/services.sh install' once as root. Starting them failed: " + ex.Message, ex);
            }
        }
        return new LocalServiceEndpoints(new Uri(clickHouse), redis);
    }

    /// <summary>Reads the <c>export NAME=value</c> lines of <c>scripts/services.sh env</c>.</summary>
    public static Dictionary<string, string> ParseExports(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("export ", StringComparison.Ordinal) && line.IndexOf('=') is var eq and > 7)
            {
                result[line[7..eq]] = line[(eq + 1)..];
            }
        }
        return result;
    }

    private static async Task<bool> TryRunScriptAsync(string verb)
    {
        try
        {
            await RunScriptAsync(verb);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task<string> RunScriptAsync(string verb)
    {
        string root = RepoRoot();
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        start.ArgumentList.Add(Path.Combine(root, "scripts", "services.sh"));
        start.ArgumentList.Add(verb);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'scripts/services.sh {verb}' exited with {process.ExitCode}: {await stderr}");
        }
        return await stdout;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "services.sh")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No scripts/services.sh above {AppContext.BaseDirectory}.");
    }
}
