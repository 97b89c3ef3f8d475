using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.InfoUnits;

/// <summary>
/// 0x05 vehicle location (2016 §7.2.3.5 tables 14-15, 9 bytes; 2025 adds a coordinate-system byte, 10 bytes).
/// Longitude and latitude are unsigned magnitudes in 1e-6 degree; the hemisphere is in the status bits.
/// </summary>
public sealed class Location : Gb32960InfoUnit
{
    public const byte TypeCode = 0x05;
    public const int Size2016 = 9;
    public const int Size2025 = 10;

    public required Gb32960Edition Edition { get; init; }

    /// <summary>bit 0: 1 = no valid fix; bit 1: 1 = south; bit 2: 1 = west.</summary>
    public byte StatusRaw { get; init; }

    /// <summary>2025 only.</summary>
    public CoordinateSystem CoordinateSystem { get; init; }

    /// <summary>Raw longitude magnitude, 1e-6 degree.</summary>
    public uint LongitudeRaw { get; init; }

    /// <summary>Raw latitude magnitude, 1e-6 degree.</summary>
    public uint LatitudeRaw { get; init; }

    public bool IsFixValid => (StatusRaw & 0x01) == 0;

    public bool IsSouth => (StatusRaw & 0x02) != 0;

    public bool IsWest => (StatusRaw & 0x04) != 0;

    /// <summary>Signed longitude in degrees (west negative).</summary>
    public Scaled LongitudeDeg => Scaled.FromDWord(LongitudeRaw, IsWest && LongitudeRaw != 0 ? -1e-6 : 1e-6);

    /// <summary>Signed latitude in degrees (south negative).</summary>
    public Scaled LatitudeDeg => Scaled.FromDWord(LatitudeRaw, IsSouth && LatitudeRaw != 0 ? -1e-6 : 1e-6);

    public override byte Type => TypeCode;

    public override Gb32960InfoKind Kind => Gb32960InfoKind.Location;

    public override int BodyLength => Edition == Gb32960Edition.V2025 ? Size2025 : Size2016;

    internal static int Measure(ReadOnlySpan<byte> rest, Gb32960Edition edition)
    {
        int size = edition == Gb32960Edition.V2025 ? Size2025 : Size2016;
        return rest.Length >= size ? size : -1;
    }

    internal static Location Read(ReadOnlySpan<byte> body, Gb32960Edition edition)
    {
        var r = new SpanReader(body);
        r.TryReadByte(out byte status);
        byte system = 0;
        if (edition == Gb32960Edition.V2025)
        {
            r.TryReadByte(out system);
        }
        r.TryReadUInt32(out uint longitude);
        r.TryReadUInt32(out uint latitude);
        return new Location
        {
            Edition = edition,
            StatusRaw = status,
            CoordinateSystem = (CoordinateSystem)system,
            LongitudeRaw = longitude,
            LatitudeRaw = latitude,
        };
    }

    internal override void WriteBody(ref BigEndianWriter w)
    {
        w.Byte(StatusRaw);
        if (Edition == Gb32960Edition.V2025)
        {
            w.Byte((byte)CoordinateSystem);
        }
        w.UInt32(LongitudeRaw);
        w.UInt32(LatitudeRaw);
    }
}
