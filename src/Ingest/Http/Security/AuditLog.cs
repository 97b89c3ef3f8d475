using Microsoft.Extensions.Logging;

namespace Ingest.Http.Security;

/// <summary>
/// Audit events: who changed the API keys or the registry and who read which vehicle's data, under the logger
/// category <see cref="Category"/> so that operators can route them to their own sink
/// (<c>Logging:LogLevel:Ingest.Audit</c>, or a filter on the category). Actors are API key ids and names, or
/// <c>cli</c> for the <c>keys</c> command. Event ids 1350-1399; next free id: 1358. The downlink-command events take
/// 1818-1819 from the commands' range (1800-1819), so branches adding audit events here in parallel cannot collide.
/// </summary>
public static partial class AuditLog
{
    public const string Category = "Ingest.Audit";

    /// <summary>The actor of changes made with the command line on the node itself.</summary>
    public const string CommandLine = "cli";

    [LoggerMessage(EventId = 1350, EventName = "ApiKeyCreated", Level = LogLevel.Information,
        Message = "API key {KeyId} ({KeyName}) created for tenant {Tenant} with scopes {Scopes} by {ActorId} ({ActorName}) (event 1350)")]
    public static partial void KeyCreated(ILogger logger, string keyId, string keyName, string tenant, string scopes, string actorId, string actorName);

    [LoggerMessage(EventId = 1351, EventName = "ApiKeyRevoked", Level = LogLevel.Information,
        Message = "API key {KeyId} ({KeyName}) of tenant {Tenant} revoked by {ActorId} ({ActorName}) (event 1351)")]
    public static partial void KeyRevoked(ILogger logger, string keyId, string keyName, string tenant, string actorId, string actorName);

    [LoggerMessage(EventId = 1352, EventName = "RegistryChanged", Level = LogLevel.Information,
        Message = "Registry {Action} of {Count} vehicles ({Vins}) for tenant {Tenant} by {ActorId} ({ActorName}) (event 1352)")]
    public static partial void RegistryChanged(ILogger logger, string action, int count, string vins, string tenant, string actorId, string actorName);

    [LoggerMessage(EventId = 1353, EventName = "StateRead", Level = LogLevel.Information,
        Message = "State of {Vin} read by {ActorId} ({ActorName}) (event 1353)")]
    public static partial void StateRead(ILogger logger, string vin, string actorId, string actorName);

    [LoggerMessage(EventId = 1354, EventName = "HistoryRead", Level = LogLevel.Information,
        Message = "History of {Vin} from {From:o} to {To:o} (limit {Limit}) read by {ActorId} ({ActorName}) (event 1354)")]
    public static partial void HistoryRead(ILogger logger, string vin, DateTimeOffset from, DateTimeOffset to, int limit, string actorId, string actorName);

    [LoggerMessage(EventId = 1355, EventName = "OnlineListRead", Level = LogLevel.Information,
        Message = "Online list of tenant {Tenant} read by {ActorId} ({ActorName}): {Count} vehicles (event 1355)")]
    public static partial void OnlineListRead(ILogger logger, string tenant, int count, string actorId, string actorName);

    [LoggerMessage(EventId = 1356, EventName = "RegistryRead", Level = LogLevel.Information,
        Message = "Registry read ({What}) by {ActorId} ({ActorName}): {Count} filings (event 1356)")]
    public static partial void RegistryRead(ILogger logger, string what, int count, string actorId, string actorName);

    [LoggerMessage(EventId = 1357, EventName = "OtherTenantVehicle", Level = LogLevel.Warning,
        Message = "{ActorId} ({ActorName}) of tenant {Tenant} asked for {Vin} at {Path}, a vehicle it may not see; answered 404 (event 1357)")]
    public static partial void OtherTenantVehicle(ILogger logger, string vin, string path, string tenant, string actorId, string actorName);

    [LoggerMessage(EventId = 1818, EventName = "CommandRefusedBeforeSending", Level = LogLevel.Information,
        Message = "Command {What} to {Vin} by {ActorId} ({ActorName}) not sent: {Outcome}: {Detail} (event 1818)")]
    public static partial void CommandNotSent(ILogger logger, string vin, string what, string outcome, string detail, string actorId, string actorName);

    [LoggerMessage(EventId = 1819, EventName = "CommandSent", Level = LogLevel.Information,
        Message = "Command {What} to {Vin} by {ActorId} ({ActorName}) sent at {SentAt:o}: {Outcome}{Detail} (event 1819)")]
    public static partial void CommandSent(ILogger logger, string vin, string what, DateTimeOffset sentAt, string outcome, string detail,
        string actorId, string actorName);
}
