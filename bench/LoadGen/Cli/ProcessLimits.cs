using System.Globalization;

namespace LoadGen.Cli;

/// <summary>Limits of this process that bound how many connections it can hold.</summary>
internal static class ProcessLimits
{
    /// <summary>The soft "Max open files" limit (ulimit -n) from /proc/self/limits; null where it cannot be read.</summary>
    public static long? OpenFiles()
    {
        const string path = "/proc/self/limits";
        if (!OperatingSystem.IsLinux() || !File.Exists(path))
        {
            return null;
        }
        foreach (var line in File.ReadLines(path))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                continue;
            }
            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long soft) ? soft : null;
        }
        return null;
    }

    /// <summary>A warning when <paramref name="connections"/> sockets plus some headroom exceed the open-file limit.</summary>
    public static string? WarnIfTooFewDescriptors(int connections, string who)
    {
        const int headroom = 256;
        return OpenFiles() is { } limit && connections + headroom > limit
            ? $"warning: {who} needs about {connections + headroom:N0} file descriptors but 'ulimit -n' is {limit:N0}; connections beyond it fail (local_socket_limit). Raise the limit (ulimit -n, LimitNOFILE) or run fewer terminals per process."
            : null;
    }
}
