namespace Ingest.Protocol.Hj1239.InfoUnits;

/// <summary>
/// One information body of a realtime/reissue data unit (the part after the type byte and the serial or collection
/// time). Every subclass keeps each field's raw integer, so it re-encodes byte for byte, and exposes engineering
/// units through <see cref="Primitives.Scaled"/> properties whose names carry the unit.
/// </summary>
public abstract class Hj1239InfoUnit
{
    /// <summary>The info type code written before the body.</summary>
    public abstract byte InfoType { get; }

    /// <summary>Bytes <see cref="Write"/> produces.</summary>
    public abstract int EncodedLength { get; }

    /// <summary>Writes exactly <see cref="EncodedLength"/> bytes (the body only, no type byte).</summary>
    public abstract void Write(Span<byte> destination);
}
