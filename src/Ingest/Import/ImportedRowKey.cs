using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Ingest.Import;

/// <summary>
/// The identity of an imported frame, stored in the <c>spool_offset</c> column of every row it projects to (with
/// node <see cref="FrameImporter.NodeName"/>): the first 63 bits of SHA-256 over the receive time in whole seconds
/// and the frame's bytes. Importing the same frame with the same time again gives the same key, and with it the
/// same replacing key in every table, so ReplacingMergeTree keeps one row (read with <c>FINAL</c>), whichever file
/// or format it came from.
/// </summary>
/// <remarks>
/// Whole seconds because <c>received_at</c> is stored in seconds and legacy exports often carry no more: a hex
/// export and a capture of the same traffic agree on the second, rarely on the millisecond. Two byte-identical
/// frames of one vehicle in the same second (a heartbeat sent twice) are therefore stored once. A collision needs
/// equal 63-bit hashes within one vehicle and one second (every table's key starts with the VIN and a time), which
/// at a few frames per vehicle and second is about 2^-60. Live rows cannot collide with imported ones: their node differs.
/// </remarks>
public sealed class ImportedRowKey : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long Of(DateTimeOffset receivedAt, ReadOnlySpan<byte> frame)
    {
        Span<byte> seconds = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(seconds, receivedAt.ToUnixTimeSeconds());
        _sha.AppendData(seconds);
        _sha.AppendData(frame);
        Span<byte> hash = stackalloc byte[32];
        _sha.GetHashAndReset(hash);
        return (long)(BinaryPrimitives.ReadUInt64BigEndian(hash) & long.MaxValue);
    }

    public void Dispose() => _sha.Dispose();
}
