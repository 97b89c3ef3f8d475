using System.Collections.Concurrent;
using System.Diagnostics;
using Ingest.Hosting;
using Ingest.Tests.Infrastructure;

namespace Ingest.Tests.Support;

/// <summary>
/// The real server as a child process: <c>dotnet exec Ingest.dll serve</c> from the test's output folder (Ingest.dll
/// is copied there because this project references it), configured only through <c>INGEST_*</c> environment
/// variables. Inherited <c>INGEST_*</c> variables are dropped so that only the given settings apply. Its console
/// output is kept for failure messages. <see cref="Kill"/> is SIGKILL: no shutdown code runs.
/// </summary>
public sealed class IngestProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private long _linesWritten;

    private IngestProcess(Process process, Uri http)
    {
        _process = process;
        Http = http;
    }

    public Uri Http { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Lines the server has written so far (stdout and stderr): a process that spins on an error floods its log.</summary>
    public long LinesWritten => Interlocked.Read(ref _linesWritten);

    /// <summary>How many of the last 500 lines the server wrote contain <paramref name="text"/> (case-insensitive).</summary>
    public int CountOutputLines(string text) => _output.Count(l => l.Contains(text, StringComparison.OrdinalIgnoreCase));

    /// <summary>The last lines the server wrote (stdout and stderr), for assertion messages.</summary>
    public string OutputTail(int lines = 40) => string.Join('\n', _output.TakeLast(lines));

    /// <param name="settings">Configuration keys as in appsettings.json ("Section:Key"); must include Ingest:HttpUrl.</param>
    /// <param name="descriptorLimit">
    /// When set, the server runs under <c>prlimit --nofile=N:N</c>, so descriptor exhaustion can be provoked with a few
    /// hundred connections instead of the machine's 20,000.
    /// </param>
    public static async Task<IngestProcess> StartAsync(IReadOnlyDictionary<string, string> settings, int? descriptorLimit = null)
    {
        var start = new ProcessStartInfo(descriptorLimit is null ? DotnetHost() : "prlimit")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        if (descriptorLimit is { } limit)
        {
            start.ArgumentList.Add($"--nofile={limit}:{limit}");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(DotnetHost());
        }
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Ingest.dll"));
        start.ArgumentList.Add("serve");
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith(IngestHost.EnvironmentPrefix, StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        foreach (var (key, value) in settings)
        {
            start.Environment[IngestHost.EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var server = new IngestProcess(process, new Uri(settings["Ingest:HttpUrl"]));
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilHealthyAsync();
        return server;
    }

    /// <summary>SIGKILL, then waits for the process to be gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        Interlocked.Increment(ref _linesWritten);
        _output.Enqueue(line);
        while (_output.Count > 500 && _output.TryDequeue(out _))
        {
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = Http, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartupTimeout;
        while (true)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // drains the redirected output, so the message has the server's last words
                throw new InvalidOperationException($"The server exited with {_process.ExitCode} while starting:\n{OutputTail()}");
            }
            try
            {
                using var response = await http.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The server did not answer /healthz within {StartupTimeout.TotalSeconds} s:\n{OutputTail()}");
            }
            await Task.Delay(50);
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";

    /// <summary>A free loopback port for a listener that must keep its number across restarts.</summary>
    public static int FreePort() => ServicesScript.FreePort();
}
