using System.Buffers.Binary;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239.InfoUnits;

/// <summary>
/// Position status BYTE + longitude DWORD + latitude DWORD, as carried by the data streams and the removal alarm
/// (HJ 1239.2; same encoding as GB/T 32960.3 0x05). Coordinates are unsigned magnitudes in 1e-6 degree; the
/// hemisphere is in the status bits. [C]
/// </summary>
/// <param name="Status">bit0 1 = fix invalid, bit1 1 = south, bit2 1 = west; other bits kept as sent.</param>
/// <param name="LongitudeRaw">Longitude magnitude, 1e-6 degree.</param>
/// <param name="LatitudeRaw">Latitude magnitude, 1e-6 degree.</param>
public readonly record struct GnssPosition(byte Status, uint LongitudeRaw, uint LatitudeRaw)
{
    public const int Size = 9;

    public bool IsFixValid => (Status & 0x01) == 0;

    public bool IsSouth => (Status & 0x02) != 0;

    public bool IsWest => (Status & 0x04) != 0;

    /// <summary>Signed longitude in degrees (west negative), or a sentinel status.</summary>
    public Scaled LongitudeDeg => Scaled.FromDWord(LongitudeRaw, IsWest ? -1e-6 : 1e-6);

    /// <summary>Signed latitude in degrees (south negative), or a sentinel status.</summary>
    public Scaled LatitudeDeg => Scaled.FromDWord(LatitudeRaw, IsSouth ? -1e-6 : 1e-6);

    public static GnssPosition Read(ReadOnlySpan<byte> source) =>
        new(source[0], BinaryPrimitives.ReadUInt32BigEndian(source[1..]), BinaryPrimitives.ReadUInt32BigEndian(source[5..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], LatitudeRaw);
        destination[0] = Status;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], LongitudeRaw);
    }
}
