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
        // Checked already at start (RegistryOptionsValidator); a file changed since then is refused the same way.
        var result = RegistryCsv.Read(csv);
        if (!result.IsValid)
        {
            throw new OptionsValidationException(RegistryOptions.SectionName, typeof(RegistryOptions), [RegistryOptionsValidator.Check(csv) ?? "invalid"]);
        }
        await registry.UpsertAsync(result.Filings, cancellationToken);
        RegistryLog.Imported(logger, Path.GetFullPath(csv), result.Filings.Count, registry.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
