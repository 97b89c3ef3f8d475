using System.Diagnostics;

namespace LoadGen.Tests.Scenarios;

/// <summary>
/// bench/scenarios/scen.py (Python, standard library only) writes the issue 7 goal table. Its self-check builds a
/// run folder (ladder, half-rate, storm, scale, cpu results and a BenchmarkDotNet CSV) and asserts every goal's
/// measured value, ratio and verdict, including "not run" rows; this test runs it so that CI sees it fail.
/// </summary>
public class ScenarioScriptTests
{
    [Fact]
    public async Task The_goal_table_parsers_and_arithmetic_pass_their_self_check()
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoRoot(),
        };
        start.ArgumentList.Add(Path.Combine("bench", "scenarios", "scen.py"));
        start.ArgumentList.Add("selftest");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Contains("scen.py selftest: ok", await stdout);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "bench", "scenarios", "scen.py")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No bench/scenarios/scen.py above {AppContext.BaseDirectory}.");
    }
}
