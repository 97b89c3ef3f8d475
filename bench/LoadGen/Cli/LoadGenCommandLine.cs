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

    /// <summary>
    /// SIGINT (Ctrl+C) and SIGTERM (how scripts stop the simulators) cancel the running command, which then prints its
    /// summary. Registered here, before anything runs, so a stop right after start is handled the same way.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        using var stop = new CancellationTokenSource();
        void Cancel(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Cancel);
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Cancel);
        return await Create().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token);
    }
}
