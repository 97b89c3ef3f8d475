using Ingest.Protocol.Errors;

namespace Ingest.Protocol.Gb32960.Internal;

/// <summary>Encoder-side argument checks: a model that cannot be written as the wire format is a caller bug.</summary>
internal static class Check
{
    public static void Length(ReadOnlyMemory<byte> value, int expected, string name)
    {
        if (value.Length != expected)
        {
            ThrowHelper.Argument(name, $"Must be exactly {expected} bytes, not {value.Length}.");
        }
    }

    public static void Count(int count, int max, string name)
    {
        if (count > max)
        {
            ThrowHelper.Argument(name, $"At most {max} entries fit the count field, not {count}.");
        }
    }
}
