using System.CommandLine;

namespace LoadGen.Cli;

/// <summary>The command line: `fleet`, `platform` and `sink`.</summary>
public static class LoadGenCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Load generator for the ingestion server: a simulated terminal fleet, a simulated superior platform, and a bare acknowledging sink. Loopback addresses only.");
        root.Subcommands.Add(FleetCommand.Create());
        root.Subcommands.Add(ServerCommands.Platform());
        root.Subcommands.Add(ServerCommands.Sink());
        return root;
    }

    public static Task<int> RunAsync(string[] args) => Create().Parse(args).InvokeAsync();
}
