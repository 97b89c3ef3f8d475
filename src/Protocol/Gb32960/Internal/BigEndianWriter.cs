using System.Buffers.Binary;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.Internal;

/// <summary>
/// Big-endian cursor over a span whose size was computed beforehand. Encoders measure first and write second, so
/// running out of room is a bug (and throws), never a data condition.
/// </summary>
internal ref struct BigEndianWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public BigEndianWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public void Byte(byte value) => _buffer[_position++] = value;

    public void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_position..], value);
        _position += 2;
    }

    public void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void Bytes(scoped ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    public void Time(GbTime value)
    {
        value.Write(_buffer[_position..]);
        _position += GbTime.Size;
    }
}
