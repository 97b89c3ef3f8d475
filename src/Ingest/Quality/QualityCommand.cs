using System.CommandLine;
using Ingest.Registry;
using Ingest.Sinks.ClickHouse;
using Ingest.Spool;
using Ingest.Tools;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Ingest.Quality;

/// <summary>
/// "quality": one day's data-quality report as CSV, from the same ClickHouse database and registry as the server
/// (settings as for "serve": appsettings.json, INGEST_* variables, --Section:Key=value, --clickhouse, --database,
/// --spool-dir). A stored day is read from <c>quality_daily</c>; another is computed live; <c>--store</c> computes the
/// day and stores it first (a backfill, or a day to freeze now).
/// </summary>
public static class QualityCommand
{
    public const int Failed = 3;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var date = new Option<string?>("--date") { Description = "The day, yyyy-MM-dd in the report's zone (Quality:UtcOffset, default +08:00). Default: yesterday." };
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's filed vehicles (tenants and models come from the registry)." };
        var outFile = new Option<string?>("--out") { Description = "Write the CSV to this file instead of standard output." };
        var byGroup = new Option<bool>("--by-group") { Description = "One row per tenant and model instead of one per vehicle." };
        var store = new Option<bool>("--store") { Description = "Compute the day and store it in quality_daily before reading it." };
        var sql = new Option<bool>("--sql") { Description = "Print the query that computes the day (for all vehicles) and exit; nothing is run." };
        var command = new Command("quality", "Write one day's data-quality report (online, frames, missing rate, dynamic-check failures per rule, " +
            "reissue share, late frames) as CSV. Settings as for serve, or --clickhouse URL, --database NAME, --spool-dir DIR (for the registry). " +
            "Exit codes: 0 written, 2 bad arguments, 3 ClickHouse failed.")
        {
            date, tenant, outFile, byGroup, store, sql,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!VerifyCommand.TryCheckConfigurationTokens(parse.UnmatchedTokens, out var problem)
                || !TryLoad(VerifyCommand.BuildConfiguration(parse.UnmatchedTokens), out var clickHouse, out var quality, out var registry, out problem))
            {
                await error.WriteLineAsync($"quality: {problem}");
                return IngestCommandLine.WrongArguments;
            }
            using var database = new ClickHouseDatabase(clickHouse);
            var reports = new QualityReports(new QualityStore(database, quality), Options.Create(quality), TimeProvider.System,
                NullLogger<QualityReports>.Instance);
            var day = reports.Today.AddDays(-1);
            if (parse.GetValue(date) is { } text && !QualityEndpoints.TryParseDay(text, out day))
            {
                await error.WriteLineAsync($"quality: --date '{text}' is not a day such as 2026-12-05.");
                return IngestCommandLine.WrongArguments;
            }
            if (parse.GetValue(sql))
            {
                await output.WriteLineAsync(reports.Sql.Select(day, day, null));
                return 0;
            }
            var tenantName = string.IsNullOrEmpty(parse.GetValue(tenant)) ? null : parse.GetValue(tenant);
            IReadOnlyList<VehicleDayQuality> rows;
            QualitySource source;
            try
            {
                if (parse.GetValue(store))
                {
                    await reports.StoreAsync(day, day, cancellationToken);
                }
                (rows, source) = await reports.GetDayAsync(day, cancellationToken);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"quality: the ClickHouse query against {database.Endpoint} (database '{database.Database}') failed: " +
                    ClickHouseDatabase.Describe(exception));
                return Failed;
            }
            var (vehicles, groups) = QualityGroup.Build(day, rows, registry, tenantName);
            var path = parse.GetValue(outFile);
            await using (var writer = path is null ? null : new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false)))
            {
                var csv = writer ?? output;
                if (parse.GetValue(byGroup))
                {
                    QualityCsv.WriteGroups(csv, day, groups);
                }
                else
                {
                    QualityCsv.WriteVehicles(csv, vehicles, vin => registry.TryGet(vin, out var f) ? (f.Tenant, f.Model ?? "") : ("", ""));
                }
                await csv.FlushAsync(cancellationToken);
            }
            if (path is not null)
            {
                await output.WriteLineAsync($"quality {day:yyyy-MM-dd} ({(source == QualitySource.Stored ? "stored" : "computed live")}): " +
                    $"{vehicles.Count} vehicles, {groups.Count} tenant/model groups written to {path}.");
            }
            return 0;
        });
        return command;
    }

    private static bool TryLoad(IConfiguration configuration, out ClickHouseOptions clickHouse, out QualityOptions quality, out IVehicleRegistry registry,
        out string? problem)
    {
        quality = configuration.GetSection(QualityOptions.SectionName).Get<QualityOptions>() ?? new QualityOptions();
        clickHouse = configuration.GetSection(ClickHouseOptions.SectionName).Get<ClickHouseOptions>() ?? new ClickHouseOptions();
        registry = null!;
        if (!clickHouse.IsConfigured)
        {
            problem = "no ClickHouse endpoint: give --clickhouse http://host:8123 (or ClickHouse:Endpoint in the configuration).";
            return false;
        }
        var (storeOptions, rules) = (clickHouse, quality);
        var failures = new IValidateOptions<ClickHouseOptions>[] { new ClickHouseOptionsValidator(), new ClickHouseOptionsEndpointValidator() }
            .Select(v => v.Validate(null, storeOptions))
            .Concat(new IValidateOptions<QualityOptions>[] { new QualityOptionsValidator(), new QualityOptionsRulesValidator() }.Select(v => v.Validate(null, rules)))
            .Where(r => r.Failed).SelectMany(r => r.Failures ?? []).ToList();
        if (failures.Count > 0)
        {
            problem = string.Join(" ", failures);
            return false;
        }
        var registryOptions = configuration.GetSection(RegistryOptions.SectionName).Get<RegistryOptions>() ?? new RegistryOptions();
        var spool = configuration.GetSection(SpoolOptions.SectionName).Get<SpoolOptions>() ?? new SpoolOptions();
        try
        {
            // Without a registry file every vehicle is reported under tenant "" (and --tenant matches nothing).
            registry = VehicleRegistry.Open(new RegistryFile(registryOptions.ResolveFile(spool.Directory)));
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            problem = "cannot read the registry: " + exception.Message;
            return false;
        }
        problem = null;
        return true;
    }
}
