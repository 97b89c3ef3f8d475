using System.CommandLine;
using Ingest.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Ingest.Tools;

/// <summary>The command line: "serve", "decode", "verify", "repair", "keys", "registry" and "import".</summary>
public static class IngestCommandLine
{
    /// <summary>The exit code for wrong arguments, whichever command.</summary>
    public const int WrongArguments = 2;

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>Runs a command with its output and error text going to the given writers.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Telematics ingestion backbone for GB/T 32960 and HJ 1239 terminals.");

        var serve = new Command("serve", "Run the ingest server. Settings come from appsettings.json, INGEST_* environment variables and --Section:Key=value options (or --port, --http, --clickhouse, --redis, --spool-dir).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        serve.SetAction(async (parse, ct) =>
        {
            var hostArgs = parse.UnmatchedTokens.ToArray();
            // Bad configuration: one line per problem, each naming its key, before anything starts.
            Microsoft.AspNetCore.Builder.WebApplication app;
            IReadOnlyList<string> problems;
            try
            {
                app = IngestHost.Build(hostArgs);
                problems = StartupPreflight.Check(app.Services);
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException ex)
            {
                // Building the web host already reads the listener options (Kestrel is configured from them).
                app = null!;
                problems = ex.Failures.Distinct().ToList();
            }
            catch (InvalidOperationException ex) when (ex.InnerException is FormatException or ArgumentException
                && ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
            {
                // A value of the wrong type (an unknown admission policy, a word where a number goes): one line too.
                app = null!;
                problems = [$"{ex.Message} {ex.InnerException.Message}"];
            }
            await using var _ = app;
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"ingest: configuration refused: {problem}");
            }
            if (problems.Count > 0)
            {
                return WrongArguments;
            }
            await app.RunAsync(ct);
            return 0;
        });
        root.Subcommands.Add(serve);
        root.Subcommands.Add(DecodeCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create(repairCommand: false, output, error));
        root.Subcommands.Add(VerifyCommand.Create(repairCommand: true, output, error));
        root.Subcommands.Add(KeysCommand.Create(output, error));
        root.Subcommands.Add(RegistryCommand.Create(output, error));
        root.Subcommands.Add(Import.ImportCommand.Create(output, error));
        root.Subcommands.Add(Quality.QualityCommand.Create(output, error));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Wrong arguments exit 2 (the README's contract; System.CommandLine's own default is 1), so a script can
            // tell a usage mistake from a round-trip mismatch (1).
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }
            await error.WriteLineAsync("Use --help to see the options.");
            return WrongArguments;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }
}
