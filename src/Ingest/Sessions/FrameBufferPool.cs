using System.Buffers;

namespace Ingest.Sessions;

/// <summary>
/// Where a frame is copied for its spool append when the spool has no batch append of its own (test doubles; the
/// file spool copies straight from the pipe and rents nothing here). One instance per host, so a test can watch (or
/// poison) every buffer handed back.
/// </summary>
public class FrameBufferPool : ArrayPool<byte>
{
    public static new FrameBufferPool Shared { get; } = new();

    public override byte[] Rent(int minimumLength) => ArrayPool<byte>.Shared.Rent(minimumLength);

    public override void Return(byte[] array, bool clearArray = false) => ArrayPool<byte>.Shared.Return(array, clearArray);
}
