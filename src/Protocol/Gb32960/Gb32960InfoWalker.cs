using Ingest.Protocol.Errors;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960;

/// <summary>
/// Walks the info items of a realtime/reissue data unit (time, then type + body items) without allocating: the hot
/// path for storage and benchmarks, which only need each item's type and bytes. Offsets are relative to the data
/// unit (add 24 for a frame offset).
/// <para>
/// It stops at the end of the data unit; at 0xFF in a 2025 frame (the signature follows, see <see cref="AtSignature"/>);
/// at a type whose layout is unknown (the standard's bodies carry no length, so nothing after it can be found:
/// <see cref="Error"/> is <see cref="DecodeErrorKind.UnknownInfoType"/>); or at an item that runs past the data unit
/// (<see cref="DecodeErrorKind.Truncated"/>). 2025 fuel-cell (0x03) and 0x30-0x32 items count as unknown.
/// </para>
/// </summary>
public ref struct Gb32960InfoWalker
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly Gb32960Edition _edition;
    private int _position;
    private DecodeError _error;
    private bool _done;
    private bool _atSignature;

    /// <param name="dataUnit">The data unit of a 0x02/0x03 frame, starting with its 6-byte time.</param>
    /// <param name="edition">Which layout table applies.</param>
    public Gb32960InfoWalker(ReadOnlySpan<byte> dataUnit, Gb32960Edition edition)
    {
        _data = dataUnit;
        _edition = edition;
        _atSignature = false;
        if (dataUnit.Length < GbTime.Size)
        {
            _position = 0;
            _error = new DecodeError(DecodeErrorKind.Truncated, 0, GbTime.Size, dataUnit.Length);
            _done = true;
        }
        else
        {
            _position = GbTime.Size;
            _error = default;
            _done = false;
        }
    }

    public readonly Gb32960Edition Edition => _edition;

    /// <summary>The collection time (raw; check <see cref="GbTime.IsValid"/>). Default when the data unit is shorter than 6 bytes.</summary>
    public readonly GbTime Time => _data.Length >= GbTime.Size ? GbTime.Read(_data) : default;

    /// <summary>Where the next item starts, or where the walk stopped.</summary>
    public readonly int Position => _position;

    /// <summary>Why the walk stopped early; <see cref="DecodeError.None"/> while walking and after a clean end.</summary>
    public readonly DecodeError Error => _error;

    /// <summary>True once the walk stopped at the 2025 signature starter 0xFF (at <see cref="Position"/>).</summary>
    public readonly bool AtSignature => _atSignature;

    /// <summary>Bytes from <see cref="Position"/> to the end of the data unit.</summary>
    public readonly ReadOnlySpan<byte> Remaining => _data[_position..];

    public bool TryReadNext(out Gb32960InfoItem item)
    {
        item = default;
        if (_done)
        {
            return false;
        }
        if (_position >= _data.Length)
        {
            _done = true;
            return false;
        }
        byte type = _data[_position];
        var kind = Gb32960InfoType.Kind(type, _edition);
        if (kind == Gb32960InfoKind.SignatureStarter)
        {
            _atSignature = true;
            _done = true;
            return false;
        }
        int bodyLength = InfoUnitReader.Measure(kind, _edition, _data[(_position + 1)..]);
        if (bodyLength < 0)
        {
            _error = bodyLength == InfoUnitReader.NotWalkable
                ? new DecodeError(DecodeErrorKind.UnknownInfoType, _position, -1, type)
                : new DecodeError(DecodeErrorKind.Truncated, _position, -1, _data.Length - _position);
            _done = true;
            return false;
        }
        item = new Gb32960InfoItem(type, kind, _position, _data.Slice(_position + 1, bodyLength));
        _position += 1 + bodyLength;
        return true;
    }
}

/// <summary>One info item found by <see cref="Gb32960InfoWalker"/>.</summary>
public readonly ref struct Gb32960InfoItem
{
    public Gb32960InfoItem(byte type, Gb32960InfoKind kind, int offset, ReadOnlySpan<byte> body)
    {
        Type = type;
        Kind = kind;
        Offset = offset;
        Body = body;
    }

    /// <summary>The type byte as sent.</summary>
    public byte Type { get; }

    /// <summary>What the type means in this edition.</summary>
    public Gb32960InfoKind Kind { get; }

    /// <summary>Offset of the type byte within the data unit.</summary>
    public int Offset { get; }

    /// <summary>Every byte after the type byte (for OEM items: the WORD length, then the data).</summary>
    public ReadOnlySpan<byte> Body { get; }
}
