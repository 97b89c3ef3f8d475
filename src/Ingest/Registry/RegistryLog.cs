using Microsoft.Extensions.Logging;

namespace Ingest.Registry;

/// <summary>Registry events (ids 1400-1419). Next free id: 1402.</summary>
internal static partial class RegistryLog
{
    [LoggerMessage(1400, LogLevel.Information, "Registry {Path}: {Count} vehicles filed", EventName = "RegistryOpened")]
    public static partial void Opened(ILogger logger, string path, int count);

    [LoggerMessage(1401, LogLevel.Information, "Registry import from {Csv}: {Imported} vehicles added or replaced, {Count} filed now", EventName = "RegistryImported")]
    public static partial void Imported(ILogger logger, string csv, int imported, int count);
}
