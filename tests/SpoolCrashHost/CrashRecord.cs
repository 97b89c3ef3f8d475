using System.Buffers.Binary;

namespace SpoolCrashHost;

/// <summary>
/// The self-describing payload the crash host appends: sequence number (8 bytes) then bytes derived from it, with a
/// length that varies with the sequence number. The kill test regenerates it from the sequence number to compare.
/// </summary>
public static class CrashRecord
{
    public const int MinLength = 16;
    public const int MaxLength = 1500;

    public static byte[] Create(long sequence)
    {
        var length = MinLength + (int)((ulong)(sequence * 7919) % (MaxLength - MinLength + 1));
        var payload = new byte[length];
        BinaryPrimitives.WriteInt64LittleEndian(payload, sequence);
        for (var i = sizeof(long); i < payload.Length; i++)
        {
            payload[i] = (byte)((sequence * 31) + (i * 7));
        }

        return payload;
    }

    /// <summary>The sequence number a payload claims (check it by regenerating with <see cref="Create"/>).</summary>
    public static long SequenceOf(ReadOnlySpan<byte> payload) =>
        payload.Length >= sizeof(long) ? BinaryPrimitives.ReadInt64LittleEndian(payload) : -1;
}
