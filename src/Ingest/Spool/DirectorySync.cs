using System.Runtime.InteropServices;

namespace Ingest.Spool;

/// <summary>
/// Makes a directory's entries durable (fsync on the directory), so a created, renamed or replaced file survives a
/// power cut. .NET refuses to open a directory as a file, hence the direct libc calls. On Windows this is a no-op:
/// NTFS journals metadata changes.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Native.Open(directory, ReadOnly);
        if (fd < 0)
        {
            ThrowLastError("open", directory);
        }

        try
        {
            if (Native.FSync(fd) != 0)
            {
                ThrowLastError("fsync", directory);
            }
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }

    private static void ThrowLastError(string call, string directory) =>
        throw new IOException($"{call} on directory '{directory}' failed: {Marshal.GetLastPInvokeErrorMessage()} (errno {Marshal.GetLastPInvokeError()}).");

    private static class Native
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static extern int FSync(int fd);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        public static extern int Close(int fd);
    }
}
