using System.Buffers.Binary;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239.InfoUnits;

/// <summary>
/// Sequential big-endian reads over a body whose length was checked up front, so each info unit lists its fields
/// once, in wire order, without a bounds test per field.
/// </summary>
internal ref struct BodyReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _position;

    public byte Byte() => _body[_position++];

    public ushort Word()
    {
        ushort v = BinaryPrimitives.ReadUInt16BigEndian(_body[_position..]);
        _position += 2;
        return v;
    }

    public uint DWord()
    {
        uint v = BinaryPrimitives.ReadUInt32BigEndian(_body[_position..]);
        _position += 4;
        return v;
    }

    public ReadOnlySpan<byte> Bytes(int count)
    {
        var v = _body.Slice(_position, count);
        _position += count;
        return v;
    }

    public GnssPosition Gnss() => GnssPosition.Read(Bytes(GnssPosition.Size));

    public GbTime Time() => GbTime.Read(Bytes(GbTime.Size));
}

/// <summary>The writing twin of <see cref="BodyReader"/>.</summary>
internal ref struct BodyWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;
    private int _position;

    public void Byte(byte value) => _destination[_position++] = value;

    public void Word(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[_position..], value);
        _position += 2;
    }

    public void DWord(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_destination[_position..], value);
        _position += 4;
    }

    public void Bytes(scoped ReadOnlySpan<byte> value)
    {
        value.CopyTo(_destination[_position..]);
        _position += value.Length;
    }

    public void Gnss(GnssPosition value)
    {
        value.Write(_destination.Slice(_position, GnssPosition.Size));
        _position += GnssPosition.Size;
    }

    public void Time(GbTime value)
    {
        value.Write(_destination.Slice(_position, GbTime.Size));
        _position += GbTime.Size;
    }
}
