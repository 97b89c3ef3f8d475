using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ingest.Spool;
using SpoolCrashHost;
using Xunit.Abstractions;

namespace Ingest.Tests.Spool;

/// <summary>
/// Kills a real process (SIGKILL) while it appends as fast as it can, then checks that every append it had
/// acknowledged (printed) is in the reopened spool, byte for byte, and that recovery left a clean, appendable log.
/// </summary>
public class SpoolCrashTests(ITestOutputHelper output)
{
    private const int Writers = 32;
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(1, 1_500)]
    [InlineData(2, 4_000)]
    [InlineData(3, 9_000)]
    public async Task Every_acknowledged_append_survives_a_kill_mid_write(int run, int acknowledgementsBeforeKill)
    {
        using var dir = new TempSpoolDirectory();
        var acknowledged = await RunAndKillAsync(dir.Path, acknowledgementsBeforeKill);
        Assert.True(acknowledged.Count >= acknowledgementsBeforeKill, $"run {run}: only {acknowledged.Count} acknowledgements");

        await using var spool = FileSpool.Open(CrashHostOptions.For(dir.Path));
        output.WriteLine($"run {run}: {acknowledged.Count} acknowledged, recovery {spool.Recovery}, cut {spool.Recovery.Truncation}");
        Assert.Empty(spool.Recovery.Corruptions);
        await using var consumer = spool.OpenConsumer("verify");
        var records = await consumer.ReadAllAsync();

        SpoolTestSupport.AssertContiguous(records);
        var byOffset = records.ToDictionary(r => r.Offset, r => r.Payload);
        foreach (var (offset, sequence) in acknowledged)
        {
            Assert.True(byOffset.TryGetValue(offset, out var payload), $"run {run}: acknowledged offset {offset} (#{sequence}) is missing");
            Assert.Equal(CrashRecord.Create(sequence), payload);
        }

        Assert.All(records, r => Assert.Equal(CrashRecord.Create(CrashRecord.SequenceOf(r.Payload)), r.Payload));
        var after = await spool.AppendAsync(CrashRecord.Create(1), CancellationToken.None);
        Assert.Equal(records.Count == 0 ? 0 : records[^1].NextOffset, after.Offset);
    }

    /// <summary>Starts the crash host, waits for the wanted number of acknowledgements, kills it, returns every line.</summary>
    private static async Task<List<(long Offset, long Sequence)>> RunAndKillAsync(string directory, int killAfter)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SpoolCrashHost.dll"));
        start.ArgumentList.Add(directory);
        start.ArgumentList.Add(Writers.ToString(CultureInfo.InvariantCulture));

        using var child = Process.Start(start) ?? throw new InvalidOperationException("The crash host did not start.");
        var acknowledged = new ConcurrentQueue<(long, long)>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = child.StandardError.ReadToEndAsync();
        var stdout = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                acknowledged.Enqueue(Parse(line));
                if (acknowledged.Count >= killAfter)
                {
                    enough.TrySetResult();
                }
            }
        });

        var first = await Task.WhenAny(enough.Task, child.WaitForExitAsync(), Task.Delay(StartupTimeout));
        var killed = !child.HasExited;
        child.Kill(); // SIGKILL on Unix: no finalizers, no flush, no dispose
        await child.WaitForExitAsync();
        await stdout;
        Assert.True(killed && first == enough.Task, $"The crash host did not reach {killAfter} acknowledgements: {await stderr}");
        return [.. acknowledged];
    }

    private static (long Offset, long Sequence) Parse(string line)
    {
        var parts = line.Split(' ');
        Assert.True(parts is [_, _, "ack"], $"Unexpected line from the crash host: '{line}'");
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
}
