using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ingest.Tests.Infrastructure;

namespace Ingest.Tests.Cluster;

/// <summary>
/// The bench <c>scripts/cluster.sh up</c> started, as its <c>env</c> command prints it (same INGEST_CLUSTER_* variables
/// as the run that started it), and its commands (kill-node, start-node, stop-clickhouse, start-clickhouse).
/// </summary>
internal sealed class ClusterBench
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly Dictionary<string, string> _lines;

    private ClusterBench(Dictionary<string, string> lines) => _lines = lines;

    public static string ScriptPath => Path.Combine(ServicesScript.RepoRoot, "scripts", "cluster.sh");

    public static string LoadGenPath => Path.Combine(ServicesScript.RepoRoot, "bench", "LoadGen", "bin", "Release", "net10.0", "LoadGen");

    /// <summary>host:port terminals connect to (GB/T 32960), through HAProxy.</summary>
    public string Terminal => _lines["terminal"];

    public string HjTerminal => _lines["terminal_hj1239"];

    /// <summary>ClickHouse HTTP through the balancer: inserts and queries on the Distributed tables.</summary>
    public string ClickHouse => _lines["clickhouse"];

    public string Database => _lines["database"];

    /// <summary>One Redis Cluster node: a client finds the others from it.</summary>
    public string Redis => _lines["redis"];

    public string PlatformRecord => _lines["platform_record"];

    public static async Task<ClusterBench> OpenAsync()
    {
        var output = await RunAsync("env");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1].Trim());
        return new ClusterBench(lines);
    }

    public static async Task<string> RunAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await RunProcessAsync("bash", [ScriptPath, .. arguments], TimeSpan.FromMinutes(3));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"'scripts/cluster.sh {string.Join(' ', arguments)}' exited with {exitCode}:\n{error}\n{output}");
        }
        return output;
    }

    /// <summary>Runs a process to its end and returns its exit code, standard output and standard error.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunProcessAsync(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = ServicesScript.RepoRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a query through the balancer with <c>FORMAT TabSeparated</c> and returns the text.</summary>
    public async Task<string> QueryAsync(string sql)
    {
        using var response = await Http.PostAsync(ClickHouse + "/", new StringContent(sql + " FORMAT TabSeparated"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"ClickHouse answered {(int)response.StatusCode} to '{sql}': {text}");
        }
        return text.TrimEnd('\n');
    }

    public async Task<long> QueryNumberAsync(string sql) =>
        long.Parse(await QueryAsync(sql), NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>The servers of the cluster from <c>system.clusters</c>: shard number and host:port (native TCP).</summary>
    public async Task<IReadOnlyList<(int Shard, string Address)>> ServersAsync()
    {
        var text = await QueryAsync(
            "SELECT shard_num, host_address, port FROM system.clusters WHERE cluster = 'telematics_cluster' ORDER BY shard_num, replica_num");
        return text.Split('\n').Select(line => line.Split('\t'))
            .Select(f => (int.Parse(f[0], CultureInfo.InvariantCulture), f[1] + ":" + f[2])).ToList();
    }

    /// <summary>LoadGen's JSON report: the whole document.</summary>
    public static JsonElement ParseReport(string output)
    {
        using var document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }
}
