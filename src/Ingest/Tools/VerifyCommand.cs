using System.CommandLine;
using System.Globalization;
using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Sinks.ClickHouse;
using Ingest.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Ingest.Tools;

/// <summary>
/// "verify" and "repair": does ClickHouse hold every row the spool's records project to, and if not, re-insert the
/// missing ones from the spool. For after a ClickHouse power loss (18.16 does not fsync inserted parts, so rows it
/// acknowledged can vanish) or any other doubt. Settings come from the same places as "serve" (appsettings.json,
/// INGEST_* variables, --Section:Key=value and the short switches), so the node name, spool folder and ClickHouse
/// database are the server's. The spool is read with <see cref="SpoolScanner"/>: no lock, no writes, safe beside a
/// running server.
/// </summary>
public static class VerifyCommand
{
    /// <summary>The server's switches plus <c>--database</c>.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings =
        new Dictionary<string, string>(IngestHost.SwitchMappings) { ["--database"] = "ClickHouse:Database" };

    private const string ConfigurationHelp =
        " Settings as for serve (appsettings.json, INGEST_* variables, --Section:Key=value), or --clickhouse URL, --database NAME," +
        " --spool-dir DIR, --node NAME. Exit codes: 0 all present, 1 rows missing (verify) or still missing (repair), 2 bad arguments," +
        " 3 not checked completely (ClickHouse or the spool unreadable, or part of the range no longer in the spool).";

    public static Command Create(bool repairCommand, TextWriter output, TextWriter error)
    {
        var from = new Option<string?>("--from") { Description = "Start of the receive-time range, ISO 8601 with a zone (2026-11-29T08:00:00+08:00). Inclusive; whole seconds." };
        var to = new Option<string?>("--to") { Description = "End of the receive-time range, exclusive." };
        var fromOffset = new Option<long?>("--from-offset") { Description = "First spool offset to check (inclusive)." };
        var toOffset = new Option<long?>("--to-offset") { Description = "Spool offset to stop at (exclusive)." };
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON object instead of text." };
        var repair = new Option<bool>("--repair") { Description = "Re-insert the missing rows (the same as the repair command)." };
        var undelivered = new Option<bool>("--include-undelivered") { Description = "Also check records after the ClickHouse sink's cursor (stopped node or a copy of its spool)." };
        var list = new Option<int>("--list") { Description = "Keys listed per table for missing and unexpected rows.", DefaultValueFactory = _ => 100 };
        var command = repairCommand
            ? new Command("repair", "Re-insert into ClickHouse the rows of spool records it does not hold, then check again. Idempotent." + ConfigurationHelp)
            : new Command("verify", "Check that ClickHouse holds every row of the spool's records in a range; report per table." + ConfigurationHelp);
        foreach (var option in new Option[] { from, to, fromOffset, toOffset, json, undelivered, list })
        {
            command.Options.Add(option);
        }
        if (!repairCommand)
        {
            command.Options.Add(repair);
        }
        command.TreatUnmatchedTokensAsErrors = false; // configuration: --clickhouse URL, --ClickHouse:Database=x, ...
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = repairCommand ? "repair" : "verify";
            if (!TryParseTime(parse.GetValue(from), "--from", out var receivedFrom, out var problem)
                || !TryParseTime(parse.GetValue(to), "--to", out var receivedTo, out problem)
                || !VerifyRange.TryCreate(parse.GetValue(fromOffset), parse.GetValue(toOffset), receivedFrom, receivedTo, out var range, out problem)
                || !TryCheckConfigurationTokens(parse.UnmatchedTokens, out problem))
            {
                error.WriteLine($"{name}: {problem}");
                return VerifyExitCodes.BadArguments;
            }
            if (parse.GetValue(list) < 0)
            {
                problem = "--list is never negative.";
                error.WriteLine($"{name}: {problem}");
                return VerifyExitCodes.BadArguments;
            }
            var configuration = BuildConfiguration(parse.UnmatchedTokens);
            if (!TryLoadSettings(configuration, out var settings, out problem))
            {
                error.WriteLine($"{name}: {problem}");
                return VerifyExitCodes.BadArguments;
            }
            using var database = new ClickHouseDatabase(settings.ClickHouse);
            var verifier = new StorageVerifier(settings.Spool, database, new ClickHouseRowProjector(Options.Create(settings.Ingest)), settings.Ingest.NodeName)
            {
                MaxListed = parse.GetValue(list),
                BatchRows = settings.ClickHouse.BatchRows,
                IncludeUndelivered = parse.GetValue(undelivered),
            };
            VerifyReport report;
            try
            {
                report = await verifier.RunAsync(range, repairCommand || parse.GetValue(repair), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                error.WriteLine($"{name}: could not complete against {database.Endpoint} (database '{database.Database}') and spool {settings.Spool.Directory}: " +
                    ClickHouseDatabase.Describe(exception));
                return VerifyExitCodes.Incomplete;
            }
            if (parse.GetValue(json))
            {
                using var buffer = new MemoryStream();
                report.WriteJson(buffer);
                output.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                report.WriteText(output);
            }
            output.Flush();
            return report.ExitCode;
        });
        return command;
    }

    private sealed record Settings(IngestOptions Ingest, ClickHouseOptions ClickHouse, SpoolScanner Spool);

    /// <summary>The configuration sources of "serve" (see <see cref="IngestHost.Build"/>), in the same order.</summary>
    internal static IConfiguration BuildConfiguration(IReadOnlyList<string> configurationTokens)
    {
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
            ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
        return new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables(IngestHost.EnvironmentPrefix)
            .AddCommandLine(configurationTokens.ToArray(), SwitchMappings.ToDictionary())
            .Build();
    }

    private static bool TryLoadSettings(IConfiguration configuration, out Settings settings, out string? problem)
    {
        settings = null!;
        var ingest = configuration.GetSection(IngestOptions.Section).Get<IngestOptions>() ?? new IngestOptions();
        var clickHouse = configuration.GetSection(ClickHouseOptions.SectionName).Get<ClickHouseOptions>() ?? new ClickHouseOptions();
        var spool = configuration.GetSection(SpoolOptions.SectionName).Get<SpoolOptions>() ?? new SpoolOptions();
        if (!clickHouse.IsConfigured)
        {
            problem = "no ClickHouse endpoint: give --clickhouse http://host:8123 (or ClickHouse:Endpoint in the configuration).";
            return false;
        }
        var failures = new IValidateOptions<ClickHouseOptions>[] { new ClickHouseOptionsValidator(), new ClickHouseOptionsEndpointValidator() }
            .Select(v => v.Validate(null, clickHouse)).Where(r => r.Failed).SelectMany(r => r.Failures ?? []).ToList();
        if (failures.Count > 0)
        {
            problem = string.Join(" ", failures);
            return false;
        }
        if (string.IsNullOrWhiteSpace(ingest.NodeName))
        {
            problem = "Ingest:NodeName is empty: give the server's node name with --node.";
            return false;
        }
        if (string.IsNullOrWhiteSpace(spool.Directory))
        {
            problem = "no spool folder: give --spool-dir (or Spool:Directory).";
            return false;
        }
        try
        {
            settings = new Settings(ingest, clickHouse, SpoolScanner.Open(spool.Directory));
        }
        catch (DirectoryNotFoundException exception)
        {
            problem = exception.Message;
            return false;
        }
        problem = null;
        return true;
    }

    /// <summary>A time with an explicit zone ("Z" or "+08:00"): a bare local time would mean different instants on different hosts.</summary>
    internal static bool TryParseTime(string? text, string option, out DateTimeOffset? time, out string? problem)
    {
        time = null;
        problem = null;
        if (text is null)
        {
            return true;
        }
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
            || parsed.Kind == DateTimeKind.Unspecified
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            problem = $"{option} '{text}' is not an ISO 8601 time with a zone, such as 2026-11-29T08:00:00+08:00 or 2026-11-29T00:00:00Z.";
            return false;
        }
        time = value;
        return true;
    }

    /// <summary>
    /// What System.CommandLine did not recognise must be configuration: a known switch or a <c>--Section:Key</c>, each
    /// with a value. Anything else is a typo that configuration binding would silently ignore.
    /// </summary>
    internal static bool TryCheckConfigurationTokens(IReadOnlyList<string> tokens, out string? problem)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var name = token.Split('=', 2)[0];
            if (!token.StartsWith("--", StringComparison.Ordinal) || !(SwitchMappings.ContainsKey(name) || name.Contains(':', StringComparison.Ordinal)))
            {
                problem = $"unknown option or argument '{token}'.";
                return false;
            }
            if (!token.Contains('=', StringComparison.Ordinal) && ++i >= tokens.Count)
            {
                problem = $"'{token}' needs a value.";
                return false;
            }
        }
        problem = null;
        return true;
    }
}
