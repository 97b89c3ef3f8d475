namespace Ingest.Protocol.Primitives;

/// <summary>
/// The 6-byte time both standards use: year-2000, month, day, hour, minute, second, each a plain binary byte
/// (not BCD), Beijing time (UTC+8). The raw bytes are kept so that an invalid time still re-encodes exactly;
/// <see cref="IsValid"/> says whether it names a real instant. No sentinel date is ever substituted.
/// </summary>
public readonly record struct GbTime(byte Year, byte Month, byte Day, byte Hour, byte Minute, byte Second)
{
    public const int Size = 6;

    /// <summary>Beijing time, the zone every field of these protocols is expressed in.</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public bool IsValid =>
        Month is >= 1 and <= 12 && Day >= 1 && Day <= DateTime.DaysInMonth(2000 + Year, Month)
        && Hour < 24 && Minute < 60 && Second < 60;

    public static GbTime Read(ReadOnlySpan<byte> source) =>
        new(source[0], source[1], source[2], source[3], source[4], source[5]);

    public void Write(Span<byte> destination)
    {
        destination[5] = Second;
        destination[0] = Year;
        destination[1] = Month;
        destination[2] = Day;
        destination[3] = Hour;
        destination[4] = Minute;
    }

    public bool TryToDateTimeOffset(out DateTimeOffset value)
    {
        if (!IsValid)
        {
            value = default;
            return false;
        }
        value = new DateTimeOffset(2000 + Year, Month, Day, Hour, Minute, Second, Offset);
        return true;
    }

    /// <summary>The instant in UTC, or null when the bytes do not name a real time.</summary>
    public DateTimeOffset? ToDateTimeOffset() => TryToDateTimeOffset(out var v) ? v : null;

    public static GbTime FromDateTimeOffset(DateTimeOffset instant)
    {
        var local = instant.ToOffset(Offset);
        if (local.Year is < 2000 or > 2255)
        {
            Errors.ThrowHelper.ArgumentOutOfRange(nameof(instant), "GB time covers the years 2000-2255.");
        }
        return new GbTime((byte)(local.Year - 2000), (byte)local.Month, (byte)local.Day,
            (byte)local.Hour, (byte)local.Minute, (byte)local.Second);
    }

    public override string ToString() =>
        TryToDateTimeOffset(out var v) ? v.ToString("yyyy-MM-dd'T'HH:mm:sszzz") :
        $"invalid({Year:X2}{Month:X2}{Day:X2}{Hour:X2}{Minute:X2}{Second:X2})";
}
