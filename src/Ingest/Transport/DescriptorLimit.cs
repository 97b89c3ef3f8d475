using System.Runtime.InteropServices;

namespace Ingest.Transport;

/// <summary>The process's open-file limit (RLIMIT_NOFILE): every socket, segment and cursor file takes one descriptor.</summary>
/// <param name="Soft">The limit in force; opening past it fails with EMFILE.</param>
/// <param name="Hard">The ceiling the soft limit may be raised to without privileges.</param>
public readonly record struct DescriptorLimit(ulong Soft, ulong Hard)
{
    /// <summary>
    /// Reads the limit and first tries to raise the soft limit to the hard one (the .NET runtime usually has done so
    /// already). Null where the limit cannot be read (not Linux or macOS): connections are then bounded by
    /// configuration only.
    /// </summary>
    public static DescriptorLimit? ReadAndRaise()
    {
        int resource = OperatingSystem.IsLinux() ? 7 : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 8 : -1;
        if (resource < 0)
        {
            return null;
        }
        try
        {
            var limit = default(RLimit);
            if (Native.getrlimit(resource, ref limit) != 0)
            {
                return null;
            }
            if (limit.Current < limit.Maximum)
            {
                var raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
                if (Native.setrlimit(resource, ref raised) == 0)
                {
                    limit = raised;
                }
            }
            return new DescriptorLimit(limit.Current, limit.Maximum);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int getrlimit(int resource, ref RLimit limit);

        [DllImport("libc", SetLastError = true)]
        public static extern int setrlimit(int resource, ref RLimit limit);
    }
}
