using System.Buffers;

namespace Ingest.Sessions;

/// <summary>
/// Where sessions rent the memory a frame is copied into for its spool append. One instance per host, so a test
/// can watch (or poison) every buffer handed back. Only <see cref="AppendBatch"/> rents and returns.
/// </summary>
public class FrameBufferPool
{
    public static FrameBufferPool Shared { get; } = new();

    public virtual byte[] Rent(int minimumLength) => ArrayPool<byte>.Shared.Rent(minimumLength);

    public virtual void Return(byte[] buffer) => ArrayPool<byte>.Shared.Return(buffer);
}
