using Ingest.Protocol.Errors;
using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.Bodies;

/// <summary>0x04 vehicle logout (2016 §7.4 table 30): time and the serial of the matching login.</summary>
public sealed class VehicleLogout : Gb32960Body
{
    public GbTime Time { get; init; }

    /// <summary>The login serial this logout closes.</summary>
    public ushort LoginSerial { get; init; }

    public override int EncodedLength => TimeAndSerial.Size;

    internal override void Write(ref BigEndianWriter w) => TimeAndSerial.Write(ref w, Time, LoginSerial);

    internal static DecodeError TryRead(ReadOnlySpan<byte> data, out VehicleLogout? body)
    {
        var error = TimeAndSerial.TryRead(data, out var time, out ushort serial);
        body = error.IsError ? null : new VehicleLogout { Time = time, LoginSerial = serial };
        return error;
    }
}

/// <summary>0x06 platform logout (2016 Annex B): time and the serial of the matching platform login.</summary>
public sealed class PlatformLogout : Gb32960Body
{
    public GbTime Time { get; init; }

    public ushort LoginSerial { get; init; }

    public override int EncodedLength => TimeAndSerial.Size;

    internal override void Write(ref BigEndianWriter w) => TimeAndSerial.Write(ref w, Time, LoginSerial);

    internal static DecodeError TryRead(ReadOnlySpan<byte> data, out PlatformLogout? body)
    {
        var error = TimeAndSerial.TryRead(data, out var time, out ushort serial);
        body = error.IsError ? null : new PlatformLogout { Time = time, LoginSerial = serial };
        return error;
    }
}

/// <summary>The time(6) + serial WORD layout both logouts share.</summary>
internal static class TimeAndSerial
{
    public const int Size = GbTime.Size + 2;

    public static void Write(ref BigEndianWriter w, GbTime time, ushort serial)
    {
        w.Time(time);
        w.UInt16(serial);
    }

    public static DecodeError TryRead(ReadOnlySpan<byte> data, out GbTime time, out ushort serial)
    {
        var r = new SpanReader(data);
        serial = 0;
        if (!r.TryReadTime(out time))
        {
            return BodyErrors.Truncated(r.Position, GbTime.Size, data.Length);
        }
        if (!r.TryReadUInt16(out serial))
        {
            return BodyErrors.Truncated(r.Position, 2, data.Length);
        }
        return r.End ? default : BodyErrors.Trailing(r.Position, data.Length);
    }
}
