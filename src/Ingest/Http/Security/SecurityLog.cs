using Microsoft.Extensions.Logging;

namespace Ingest.Http.Security;

/// <summary>Log events of API-key authentication (operational, not audit). Event ids 1303-1349; next free id: 1309.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 1303, EventName = "ApiKeysReloaded", Level = LogLevel.Information,
        Message = "API keys reloaded from {Path} (event 1303): {Count} keys, revoked ones included")]
    public static partial void KeysReloaded(ILogger logger, string path, int count);

    [LoggerMessage(EventId = 1304, EventName = "ApiKeysReloadFailed", Level = LogLevel.Warning,
        Message = "API key file {Path} changed but could not be read (event 1304); the keys loaded before stay in force: {Reason}")]
    public static partial void KeysReloadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1305, EventName = "AuthenticationFailed", Level = LogLevel.Debug,
        Message = "HTTP request {Method} {Path} from {Remote} refused with 401 (event 1305): {Reason}")]
    public static partial void AuthenticationFailed(ILogger logger, string method, string path, string? remote, ApiKeyRejection reason);

    [LoggerMessage(EventId = 1306, EventName = "NoApiKeys", Level = LogLevel.Warning,
        Message = "No active API key in {Path} (event 1306): every HTTP endpoint except /healthz and /readyz answers 401. " +
            "Create one with: Ingest keys create --tenant <tenant> --scopes admin")]
    public static partial void NoApiKeys(ILogger logger, string path);

    [LoggerMessage(EventId = 1307, EventName = "MetricsListener", Level = LogLevel.Information,
        Message = "/metrics is served without credentials on {Url} (event 1307) and needs an admin key on the main HTTP address")]
    public static partial void MetricsListener(ILogger logger, string url);

    [LoggerMessage(EventId = 1308, EventName = "Forbidden", Level = LogLevel.Debug,
        Message = "HTTP request {Method} {Path} by key {KeyId} refused with 403 (event 1308): the key lacks the scope")]
    public static partial void Forbidden(ILogger logger, string method, string path, string? keyId);
}
