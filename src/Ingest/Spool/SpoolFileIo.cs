using Microsoft.Win32.SafeHandles;

namespace Ingest.Spool;

/// <summary>
/// The writer's file operations in one place: the seam through which tests make them fail as a full disk (ENOSPC) or
/// a process out of descriptors (EMFILE) would, without filling a disk. Production uses <see cref="Default"/>.
/// </summary>
internal class SpoolFileIo
{
    public static SpoolFileIo Default { get; } = new();

    /// <summary>One vectored write (pwritev) at <paramref name="position"/>.</summary>
    public virtual void Write(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long position) =>
        RandomAccess.Write(handle, buffers, position);

    /// <summary>fsync(2) on Unix, FlushFileBuffers on Windows.</summary>
    public virtual void Flush(SafeFileHandle handle) => RandomAccess.FlushToDisk(handle);

    /// <summary>ftruncate(2): cuts what a failed commit may have left behind the durable end.</summary>
    public virtual void SetLength(SafeFileHandle handle, long length) => RandomAccess.SetLength(handle, length);

    public virtual (SafeFileHandle Handle, SegmentInfo Segment) CreateSegment(string directory, long baseOffset) =>
        SegmentFiles.Create(directory, baseOffset);
}
