using System.CommandLine;
using Ingest.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Ingest.Tools;

/// <summary>The command line: "serve" and "decode".</summary>
public static class IngestCommandLine
{
    /// <summary>The exit code for wrong arguments, whichever command.</summary>
    public const int WrongArguments = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Telematics ingestion backbone for GB/T 32960 and HJ 1239 terminals.");

        var serve = new Command("serve", "Run the ingest server. Settings come from appsettings.json, INGEST_* environment variables and --Section:Key=value options (or --port, --http, --clickhouse, --redis, --spool-dir).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        serve.SetAction(async (parse, ct) =>
        {
            var hostArgs = parse.UnmatchedTokens.ToArray();
            await using var app = IngestHost.Build(hostArgs);
            await app.RunAsync(ct);
            return 0;
        });
        root.Subcommands.Add(serve);
        root.Subcommands.Add(DecodeCommand.Create());

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Wrong arguments exit 2 (the README's contract; System.CommandLine's own default is 1), so a script can
            // tell a usage mistake from a round-trip mismatch (1).
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }
            return WrongArguments;
        }
        return await parsed.InvokeAsync();
    }
}
