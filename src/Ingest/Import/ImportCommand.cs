using System.CommandLine;
using System.Globalization;
using Ingest.Hosting;
using Ingest.Sinks.ClickHouse;
using Ingest.Tools;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Import;

/// <summary>
/// "import": historical raw frames from a legacy platform (hex lines with a receive time, or pcap captures of
/// terminal traffic) into ClickHouse, through the server's framer and the sink's projection, marked as imported
/// (node <c>import</c>) and idempotent. Settings come from the same places as "serve" (appsettings.json, INGEST_*,
/// <c>--Section:Key=value</c>), so the listeners and the ClickHouse database are the server's.
/// </summary>
public static class ImportCommand
{
    private const string Help =
        "Import historical frames into ClickHouse: hex lines ('<receive time> <hex>', '#' comments) or classic pcap captures of terminal traffic " +
        "(TCP toward the listeners' ports, reassembled). Rows are stored as node 'import', keyed on receive second and frame bytes, so importing " +
        "twice stores once. Nothing is relayed to superior platforms or written to Redis. Settings as for serve (--clickhouse URL, --database NAME, " +
        "--Section:Key=value). Exit codes: 0 clean, 1 imported but some input malformed (listed), 2 bad arguments, 3 a file unreadable or ClickHouse failed, 4 --compare-with found differences.";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("files") { Description = "Hex or pcap files (told apart by their first bytes).", Arity = ArgumentArity.OneOrMore };
        var format = new Option<ImportFormat>("--format") { Description = "auto (default), hex or pcap.", DefaultValueFactory = _ => ImportFormat.Auto };
        var ports = new Option<int[]>("--port") { Description = "Platform port whose incoming TCP traffic is terminal traffic (repeatable). Default: the listeners' ports (32960, 12390).", AllowMultipleArgumentsPerToken = false };
        var detect = new Option<bool>("--detect") { Description = "Also import TCP directions on other ports whose first frame is a terminal's command." };
        var zone = new Option<string>("--zone") { Description = "Zone of hex-line times written without one. Default +08:00 (Beijing time).", DefaultValueFactory = _ => "+08:00" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Read, frame and project everything, report, write nothing (no ClickHouse needed)." };
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON object." };
        var list = new Option<int>("--list") { Description = "Problems listed in the report (all are counted). Default 100.", DefaultValueFactory = _ => 100 };
        var clickHouse = new Option<string?>("--clickhouse") { Description = "ClickHouse HTTP endpoint (ClickHouse:Endpoint)." };
        var database = new Option<string?>("--database") { Description = "ClickHouse database to import into (ClickHouse:Database, default telematics)." };
        var compareWith = new Option<string?>("--compare-with")
        {
            Description = "After importing, compare per vehicle and day with what this database stored live (distinct realtime/reissue device times); exit 4 when they differ. Import into a scratch --database for this.",
        };
        var command = new Command("import", Help) { files, format, ports, detect, zone, dryRun, json, list, clickHouse, database, compareWith };
        command.TreatUnmatchedTokensAsErrors = false; // --Section:Key=value
        command.SetAction(async (parse, cancellationToken) =>
        {
            // System.CommandLine hands an unknown --Section:Key=value to the files argument when it can: such a token is
            // configuration, never a file (a file of that name can be given as ./--name).
            var given = parse.GetValue(files) ?? [];
            var inputs = given.Where(f => !f.StartsWith("--", StringComparison.Ordinal)).ToList();
            var configurationTokens = given.Where(f => f.StartsWith("--", StringComparison.Ordinal)).Concat(parse.UnmatchedTokens).ToList();
            if (!TryReadArguments(parse, zone, list, out var zoneOffset, out var problem)
                || !TryCheckConfigurationTokens(configurationTokens, out problem))
            {
                await error.WriteLineAsync($"import: {problem}");
                return ImportExitCodes.BadArguments;
            }
            if (parse.GetValue(compareWith) is { } compared && !IsIdentifier(compared))
            {
                await error.WriteLineAsync($"import: --compare-with '{compared}' is not a database name.");
                return ImportExitCodes.BadArguments;
            }
            if (parse.GetValue(compareWith) is not null && parse.GetValue(dryRun))
            {
                await error.WriteLineAsync("import: --compare-with needs the import written (not --dry-run).");
                return ImportExitCodes.BadArguments;
            }
            if (inputs.Count == 0)
            {
                await error.WriteLineAsync("import: give at least one hex or pcap file.");
                return ImportExitCodes.BadArguments;
            }
            var configuration = BuildConfiguration(configurationTokens, parse.GetValue(clickHouse), parse.GetValue(database));
            var ingest = configuration.GetSection(IngestOptions.Section).Get<IngestOptions>() ?? new IngestOptions();
            var clickHouseOptions = configuration.GetSection(ClickHouseOptions.SectionName).Get<ClickHouseOptions>() ?? new ClickHouseOptions();
            bool dry = parse.GetValue(dryRun);
            if (!dry && !TryValidate(clickHouseOptions, out problem))
            {
                await error.WriteLineAsync($"import: {problem}");
                return ImportExitCodes.BadArguments;
            }
            var settings = new ImportSettings
            {
                Listeners = ingest.Listeners,
                Ports = parse.GetValue(ports) is { Length: > 0 } portList ? portList.ToHashSet() : null,
                DetectByContent = parse.GetValue(detect),
                DefaultZone = zoneOffset,
                Format = parse.GetValue(format),
                BatchRows = clickHouseOptions.BatchRows,
                MaxListed = parse.GetValue(list),
            };
            using var loggers = LoggerFactory.Create(b => b
                .AddConfiguration(configuration.GetSection("Logging"))
                .AddSimpleConsole(o => o.SingleLine = true)
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
            using var target = dry ? null : new ClickHouseDatabase(clickHouseOptions);
            var report = await new HistoryImport(settings, target, loggers.CreateLogger("Ingest.Import"))
                .RunAsync(inputs, cancellationToken).ConfigureAwait(false);
            int exitCode = report.ExitCode;
            List<VehicleDayCount>? comparison = null;
            if (parse.GetValue(compareWith) is { } liveDatabase && target is not null && report.Failure is null)
            {
                try
                {
                    comparison = await ImportComparison.RunAsync(target, liveDatabase, cancellationToken).ConfigureAwait(false);
                    exitCode = comparison.Any(r => !r.Agrees) ? ImportExitCodes.Differ : exitCode;
                }
                catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
                {
                    await error.WriteLineAsync($"import: the comparison with '{liveDatabase}' failed: {ClickHouseDatabase.Describe(exception)}");
                    exitCode = ImportExitCodes.Incomplete;
                }
            }
            if (parse.GetValue(json))
            {
                using var buffer = new MemoryStream();
                report.WriteJson(buffer);
                await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                report.WriteText(output);
            }
            if (comparison is not null)
            {
                ImportComparison.WriteText(output, comparison, parse.GetValue(compareWith)!, target!.Database);
            }
            await output.FlushAsync(cancellationToken);
            return exitCode;
        });
        return command;
    }

    private static bool TryReadArguments(ParseResult parse, Option<string> zone, Option<int> list, out TimeSpan zoneOffset, out string? problem)
    {
        zoneOffset = default;
        var text = parse.GetValue(zone)!;
        if (!TryParseZone(text, out zoneOffset))
        {
            problem = $"--zone '{text}' is not a UTC offset such as +08:00 or Z.";
            return false;
        }
        if (parse.GetValue(list) < 0)
        {
            problem = "--list is never negative.";
            return false;
        }
        problem = null;
        return true;
    }

    private static bool IsIdentifier(string name)
    {
        try
        {
            SqlLiteral.Identifier(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    internal static bool TryParseZone(string text, out TimeSpan offset)
    {
        offset = default;
        if (text is "Z" or "z")
        {
            return true;
        }
        if (text.Length < 2 || text[0] is not ('+' or '-')
            || !TimeSpan.TryParseExact(text[1..], ["hh\\:mm", "hhmm", "hh"], CultureInfo.InvariantCulture, out var magnitude)
            || magnitude > TimeSpan.FromHours(14))
        {
            return false;
        }
        offset = text[0] == '-' ? -magnitude : magnitude;
        return true;
    }

    /// <summary>Configuration beyond the named options: <c>--Section:Key=value</c> only (a value after a space would read as a file).</summary>
    private static bool TryCheckConfigurationTokens(IReadOnlyList<string> tokens, out string? problem)
    {
        foreach (var token in tokens)
        {
            var name = token.Split('=', 2)[0];
            if (!token.StartsWith("--", StringComparison.Ordinal) || !name.Contains(':', StringComparison.Ordinal) || !token.Contains('=', StringComparison.Ordinal))
            {
                problem = $"unknown option or argument '{token}' (settings go as --Section:Key=value).";
                return false;
            }
        }
        problem = null;
        return true;
    }

    private static IConfiguration BuildConfiguration(IReadOnlyList<string> tokens, string? clickHouse, string? database)
    {
        var overrides = new Dictionary<string, string?>();
        if (clickHouse is not null)
        {
            overrides[$"{ClickHouseOptions.SectionName}:Endpoint"] = clickHouse;
        }
        if (database is not null)
        {
            overrides[$"{ClickHouseOptions.SectionName}:Database"] = database;
        }
        return new ConfigurationBuilder()
            .AddConfiguration(VerifyCommand.BuildConfiguration(tokens))
            .AddInMemoryCollection(overrides)
            .Build();
    }

    private static bool TryValidate(ClickHouseOptions clickHouse, out string? problem)
    {
        if (!clickHouse.IsConfigured)
        {
            problem = "no ClickHouse endpoint: give --clickhouse http://host:8123 (or ClickHouse:Endpoint), or --dry-run.";
            return false;
        }
        var failures = new IValidateOptions<ClickHouseOptions>[] { new ClickHouseOptionsValidator(), new ClickHouseOptionsEndpointValidator() }
            .Select(v => v.Validate(null, clickHouse)).Where(r => r.Failed).SelectMany(r => r.Failures ?? []).ToList();
        problem = failures.Count > 0 ? string.Join(" ", failures) : null;
        return failures.Count == 0;
    }
}
