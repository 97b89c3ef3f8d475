using System.Buffers.Binary;

namespace Ingest.Protocol.Primitives;

/// <summary>
/// Big-endian cursor over a data unit. Every read reports "not enough bytes" as false instead of throwing,
/// so decoders turn truncation into a <see cref="Errors.DecodeErrorKind.Truncated"/> value with the offset.
/// </summary>
public ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public SpanReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool End => _position >= _buffer.Length;

    public readonly ReadOnlySpan<byte> Rest => _buffer[_position..];

    public bool TryReadByte(out byte value)
    {
        if (_position < _buffer.Length)
        {
            value = _buffer[_position++];
            return true;
        }
        value = 0;
        return false;
    }

    public bool TryPeekByte(out byte value)
    {
        if (_position < _buffer.Length)
        {
            value = _buffer[_position];
            return true;
        }
        value = 0;
        return false;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (Remaining >= 2)
        {
            value = BinaryPrimitives.ReadUInt16BigEndian(_buffer[_position..]);
            _position += 2;
            return true;
        }
        value = 0;
        return false;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (Remaining >= 4)
        {
            value = BinaryPrimitives.ReadUInt32BigEndian(_buffer[_position..]);
            _position += 4;
            return true;
        }
        value = 0;
        return false;
    }

    public bool TryReadBytes(int count, out ReadOnlySpan<byte> value)
    {
        if (count >= 0 && Remaining >= count)
        {
            value = _buffer.Slice(_position, count);
            _position += count;
            return true;
        }
        value = default;
        return false;
    }

    public bool TryReadTime(out GbTime value)
    {
        if (Remaining >= GbTime.Size)
        {
            value = GbTime.Read(_buffer[_position..]);
            _position += GbTime.Size;
            return true;
        }
        value = default;
        return false;
    }

    public bool TrySkip(int count)
    {
        if (count >= 0 && Remaining >= count)
        {
            _position += count;
            return true;
        }
        return false;
    }
}
