using System.CommandLine;
using Ingest.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Ingest.Tools;

/// <summary>The command line: "serve" and "decode".</summary>
public static class IngestCommandLine
{
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
            try
            {
                await using var app = IngestHost.Build(hostArgs);
                await app.RunAsync(ct);
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException ex)
            {
                // Bad configuration: one line per failure, each naming its key, instead of a stack trace.
                foreach (var failure in ex.Failures)
                {
                    await Console.Error.WriteLineAsync($"ingest: configuration refused: {failure}");
                }
                return 2;
            }
            return 0;
        });
        root.Subcommands.Add(serve);
        root.Subcommands.Add(DecodeCommand.Create());

        return await root.Parse(args).InvokeAsync();
    }
}
