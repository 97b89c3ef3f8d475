using System.Buffers.Binary;
using System.Numerics;

namespace Ingest.Spool;

/// <summary>
/// CRC-32C (Castagnoli), as used by iSCSI, ext4 and Kafka record batches. Built on
/// <see cref="BitOperations.Crc32C(uint, ulong)"/>, which uses the SSE4.2/ARM CRC instructions when present.
/// (System.IO.Hashing 10.x only offers the IEEE polynomial.)
/// </summary>
internal static class Crc32C
{
    public const uint Seed = 0xFFFF_FFFF;

    /// <summary>The finished CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(Seed, data);

    /// <summary>Continues an unfinished CRC (start from <see cref="Seed"/>, finish with <c>~</c>).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
