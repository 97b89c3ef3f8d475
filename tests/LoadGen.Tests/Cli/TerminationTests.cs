using System.Diagnostics;

namespace LoadGen.Tests.Cli;

/// <summary>`platform` stopped the way scripts stop it (SIGTERM) still prints its summary.</summary>
public class TerminationTests
{
    [Fact]
    public async Task The_platform_simulator_prints_its_summary_on_sigterm()
    {
        var loadGen = Path.Combine(AppContext.BaseDirectory, "LoadGen.dll");
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo("dotnet", [loadGen, "platform", "--listen", $"127.0.0.1:{port}", "--duration", "1h", "--quiet"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var listening = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data?.StartsWith("platform listening", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine("stderr: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
            // A superior-platform link still connected (as the ingest server's is when a script stops both): closing it
            // may outlast the grace a stop gets, and the summary must not wait for it.
            using var link = new System.Net.Sockets.TcpClient();
            await link.ConnectAsync(System.Net.IPAddress.Loopback, port);
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync();
            }
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        lock (output)
        {
            Assert.True(output.ToString().Contains("platform stopped: 1 connections", StringComparison.Ordinal),
                $"exit code {process.ExitCode}: {output}");
        }
    }
}
