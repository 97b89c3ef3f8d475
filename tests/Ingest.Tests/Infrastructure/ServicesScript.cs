using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ingest.Tests.Infrastructure;

/// <summary>Runs <c>scripts/services.sh</c> of this repository (the same script CI and developers use).</summary>
internal static class ServicesScript
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ScriptPath => Path.Combine(RepoRoot, "scripts", "services.sh");

    public static async Task<string> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        start.ArgumentList.Add(ScriptPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'scripts/services.sh {string.Join(' ', arguments)}' exited with {process.ExitCode}:\n{await stderr}\n{output}");
        }
        return output;
    }

    /// <summary>A TCP port nothing listens on right now (for private service instances).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ingest.sln")) && File.Exists(Path.Combine(dir.FullName, "scripts", "services.sh")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Ingest.sln with scripts/services.sh above {AppContext.BaseDirectory}.");
    }
}
