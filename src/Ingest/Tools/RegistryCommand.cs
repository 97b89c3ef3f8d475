using System.CommandLine;
using Ingest.Registry;
using Ingest.Spool;
using Microsoft.Extensions.Configuration;

namespace Ingest.Tools;

/// <summary>
/// "registry import FILE" and "registry export": the vehicle registry on disk, without a running server. Settings
/// come from the same places as "serve" (so the registry file is the server's: <c>Registry:File</c>, else
/// <c>registry.json</c> in the spool folder). A running server does not re-read its file: use the HTTP API there,
/// or import offline and restart.
/// </summary>
public static class RegistryCommand
{
    /// <summary>Exit codes: 0 imported, 1 the CSV has bad rows (nothing was written), 2 bad arguments.</summary>
    public const int BadRows = 1;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("registry", "The vehicle registry (filed vehicles) on disk: import a CSV, or export it as CSV.");
        var file = new Argument<string>("FILE") { Description = "CSV with the header vin,tenant,iccid,chip_id,sm2_public_key,model,platforms." };
        var import = new Command("import", "Add or replace the CSV's vehicles in the registry file, durably; vehicles not in the CSV are kept. " +
            "Nothing is written when any row is bad (exit 1, every bad row listed with line and column). Settings as for serve " +
            "(--spool-dir DIR, --Registry:File=PATH).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        import.Arguments.Add(file);
        import.SetAction(async (parse, cancellationToken) =>
        {
            if (!TryOpen(parse.UnmatchedTokens, error, "registry import", out var registryFile))
            {
                return IngestCommandLine.WrongArguments;
            }
            var csv = parse.GetValue(file)!;
            RegistryCsvResult result;
            try
            {
                result = RegistryCsv.Read(csv);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"registry import: cannot read {csv}: {ex.Message}");
                return IngestCommandLine.WrongArguments;
            }
            if (!result.IsValid)
            {
                foreach (var problem in result.Errors)
                {
                    await error.WriteLineAsync($"registry import: {problem}");
                }
                await error.WriteLineAsync($"registry import: nothing written to {registryFile.Path}.");
                return BadRows;
            }
            var registry = VehicleRegistry.Open(registryFile);
            await registry.UpsertAsync(result.Filings, cancellationToken);
            await output.WriteLineAsync($"{result.Filings.Count} vehicles imported into {registryFile.Path}; {registry.Count} filed now.");
            return 0;
        });
        var export = new Command("export", "Print the registry file's vehicles as CSV (the import format). Settings as for serve.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        export.SetAction(async (parse, cancellationToken) =>
        {
            if (!TryOpen(parse.UnmatchedTokens, error, "registry export", out var registryFile))
            {
                return IngestCommandLine.WrongArguments;
            }
            RegistryCsv.Write(output, VehicleRegistry.Open(registryFile).List());
            await output.FlushAsync(cancellationToken);
            return 0;
        });
        command.Subcommands.Add(import);
        command.Subcommands.Add(export);
        return command;
    }

    private static bool TryOpen(IReadOnlyList<string> tokens, TextWriter error, string name, out RegistryFile file)
    {
        file = null!;
        if (!VerifyCommand.TryCheckConfigurationTokens(tokens, out var problem))
        {
            error.WriteLine($"{name}: {problem}");
            return false;
        }
        var configuration = VerifyCommand.BuildConfiguration(tokens);
        var registry = configuration.GetSection(RegistryOptions.SectionName).Get<RegistryOptions>() ?? new RegistryOptions();
        var spool = configuration.GetSection(SpoolOptions.SectionName).Get<SpoolOptions>() ?? new SpoolOptions();
        if (string.IsNullOrWhiteSpace(registry.File) && string.IsNullOrWhiteSpace(spool.Directory))
        {
            error.WriteLine($"{name}: no registry file: give --spool-dir DIR (the server's) or --Registry:File=PATH.");
            return false;
        }
        file = new RegistryFile(registry.ResolveFile(spool.Directory));
        return true;
    }
}
