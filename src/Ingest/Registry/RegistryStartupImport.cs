using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Registry;

/// <summary>
/// At start, says how many vehicles are filed and merges <see cref="RegistryOptions.ImportCsv"/> into the registry.
/// A file with a bad row refuses the start (the serve command prints one line and exits 2): a half-imported fleet
/// would refuse the vehicles of the rows left out without anyone noticing.
/// </summary>
public sealed class RegistryStartupImport(IVehicleRegistry registry, IOptions<RegistryOptions> options, ILogger<RegistryStartupImport> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var csv = options.Value.ImportCsv;
        if (string.IsNullOrWhiteSpace(csv))
        {
            return;
        }
        RegistryCsvResult result;
        try
        {
            result = RegistryCsv.Read(csv);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Refused($"Registry:ImportCsv: cannot read {csv}: {ex.Message}");
        }
        if (!result.IsValid)
        {
            var more = result.Errors.Count > 1 ? $" (and {result.Errors.Count - 1} more bad rows; 'ingest registry import' lists them)" : "";
            throw Refused($"Registry:ImportCsv: {result.Errors[0]}{more}");
        }
        await registry.UpsertAsync(result.Filings, cancellationToken);
        RegistryLog.Imported(logger, Path.GetFullPath(csv), result.Filings.Count, registry.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static OptionsValidationException Refused(string message) =>
        new(RegistryOptions.SectionName, typeof(RegistryOptions), [message]);
}
