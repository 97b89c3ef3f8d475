using System.CommandLine;
using Ingest.Http;
using Ingest.Http.Security;
using Ingest.Spool;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Ingest.Tools;

/// <summary>
/// "keys create|list|revoke": the node's API keys, managed on the node itself, which is how the first admin key comes
/// to exist. The file is the server's (<c>Http:ApiKeysFile</c>, default <c>api-keys.json</c> in the spool folder; the
/// same settings as "serve"), and a running server applies a change at its next request. Every change is written as
/// an audit event (category <c>Ingest.Audit</c>, actor <c>cli</c>) to standard error.
/// </summary>
public static class KeysCommand
{
    private const string ConfigurationHelp = " The key file is Http:ApiKeysFile, or api-keys.json in the spool folder (--spool-dir DIR); settings as for serve.";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var keys = new Command("keys", "Create, list and revoke the HTTP API keys." + ConfigurationHelp);

        var tenant = new Option<string>("--tenant") { Description = "The tenant whose vehicles the key sees (ignored by admin keys).", Required = true };
        var scopes = new Option<string>("--scopes") { Description = $"Comma-separated scopes: {string.Join(", ", ApiScopes.All)} (admin implies all).", Required = true };
        var name = new Option<string?>("--name") { Description = "A label for the audit log (default: the key id)." };
        var create = new Command("create", "Create a key and print it once; only its SHA-256 digest is stored." + ConfigurationHelp) { tenant, scopes, name };
        create.TreatUnmatchedTokensAsErrors = false;
        create.SetAction(async (parse, ct) =>
        {
            var scopeList = parse.GetValue(scopes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var problems = ApiKeyEndpoints.Validate(parse.GetValue(tenant), scopeList);
            if (problems.Count > 0)
            {
                await error.WriteLineAsync("keys create: " + string.Join(" ", problems.Values.SelectMany(v => v)));
                return IngestCommandLine.WrongArguments;
            }
            if (!TryOpen(parse.UnmatchedTokens, out var store, out var problem))
            {
                await error.WriteLineAsync("keys create: " + problem);
                return IngestCommandLine.WrongArguments;
            }
            var (key, secret) = await store.CreateAsync(parse.GetValue(tenant)!, scopeList, parse.GetValue(name), ct);
            Audit(logger => AuditLog.KeyCreated(logger, key.Id, key.Name, key.Tenant, string.Join(',', key.Scopes), AuditLog.CommandLine, Environment.UserName));
            await output.WriteLineAsync($"id      {key.Id}");
            await output.WriteLineAsync($"name    {key.Name}");
            await output.WriteLineAsync($"tenant  {key.Tenant}");
            await output.WriteLineAsync($"scopes  {string.Join(',', key.Scopes)}");
            await output.WriteLineAsync($"key     {secret}");
            await output.WriteLineAsync("The key is shown this once. Use it as: Authorization: Bearer <key>");
            return 0;
        });

        var list = new Command("list", "List the keys (never their secrets)." + ConfigurationHelp) { TreatUnmatchedTokensAsErrors = false };
        list.SetAction(async (parse, ct) =>
        {
            if (!TryOpen(parse.UnmatchedTokens, out var store, out var problem))
            {
                await error.WriteLineAsync("keys list: " + problem);
                return IngestCommandLine.WrongArguments;
            }
            await output.WriteLineAsync($"{"ID",-12}  {"NAME",-20}  {"TENANT",-16}  {"SCOPES",-40}  {"CREATED",-25}  REVOKED");
            foreach (var key in store.List())
            {
                await output.WriteLineAsync($"{key.Id,-12}  {key.Name,-20}  {key.Tenant,-16}  {string.Join(',', key.Scopes),-40}  {key.CreatedAt:o}  {key.RevokedAt?.ToString("o") ?? "-"}");
            }
            return 0;
        });

        var id = new Argument<string>("id") { Description = "The key's id (the 12 hex characters after ik_)." };
        var revoke = new Command("revoke", "Revoke a key; a running server refuses it from its next request on." + ConfigurationHelp) { id };
        revoke.TreatUnmatchedTokensAsErrors = false;
        revoke.SetAction(async (parse, ct) =>
        {
            if (!TryOpen(parse.UnmatchedTokens, out var store, out var problem))
            {
                await error.WriteLineAsync("keys revoke: " + problem);
                return IngestCommandLine.WrongArguments;
            }
            if (await store.RevokeAsync(parse.GetValue(id)!, ct) is not { } key)
            {
                await error.WriteLineAsync($"keys revoke: no key has the id '{parse.GetValue(id)}' in {store.FilePath}.");
                return 1;
            }
            Audit(logger => AuditLog.KeyRevoked(logger, key.Id, key.Name, key.Tenant, AuditLog.CommandLine, Environment.UserName));
            await output.WriteLineAsync($"revoked {key.Id} ({key.Name}) at {key.RevokedAt:o}");
            return 0;
        });

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        return keys;
    }

    private static bool TryOpen(IReadOnlyList<string> configurationTokens, out ApiKeyStore store, out string? problem)
    {
        store = null!;
        if (!VerifyCommand.TryCheckConfigurationTokens(configurationTokens, out problem))
        {
            return false;
        }
        var configuration = VerifyCommand.BuildConfiguration(configurationTokens);
        var http = configuration.GetSection(HttpOptions.SectionName).Get<HttpOptions>() ?? new HttpOptions();
        var spool = configuration.GetSection(SpoolOptions.SectionName).Get<SpoolOptions>() ?? new SpoolOptions();
        if (string.IsNullOrWhiteSpace(http.ApiKeysFile) && string.IsNullOrWhiteSpace(spool.Directory))
        {
            problem = "no key file: give --spool-dir DIR (the server's) or --Http:ApiKeysFile=PATH.";
            return false;
        }
        try
        {
            store = new ApiKeyStore(new ApiKeyFile(http.ResolveApiKeysFile(spool.Directory)), TimeProvider.System);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            problem = exception.Message;
            return false;
        }
        return true;
    }

    private static void Audit(Action<ILogger> write)
    {
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        write(loggers.CreateLogger(AuditLog.Category));
    }
}
