using System.Diagnostics.CodeAnalysis;

namespace Ingest.Protocol.Hj1239.InfoUnits;

/// <summary>
/// The info type catalogue shared by both layouts (GB 17691 Annex Q table Q.5 and HJ 1239.2). Bodies carry no
/// length prefix; a type outside this catalogue is walked as a raw <see cref="UserDefinedData"/> item, delimited
/// as the listener's <see cref="Hj1239UserItemLayout"/> says.
/// </summary>
public static class Hj1239InfoTypes
{
    /// <summary>True for a type whose body length this codec can determine.</summary>
    public static bool IsKnown(byte type) => type is ObdInfo.TypeCode or DieselDataStream.TypeCode
        or SparkIgnitionDataStream.TypeCode or HybridSupplement.TypeCode or TwcNoxDataStream.TypeCode
        or SupplementaryDataStream.TypeCode;

    /// <summary>
    /// Length of the body of <paramref name="type"/> that starts <paramref name="rest"/>. False when the type is
    /// unknown or <paramref name="rest"/> is too short to hold the body (or, for OBD, its DTC count).
    /// </summary>
    /// <param name="type">Info type code.</param>
    /// <param name="rest">Bytes from the start of the body to the end of the data unit.</param>
    /// <param name="length">The body length when known (for a short OBD body: the fixed part, 96).</param>
    public static bool TryGetBodyLength(byte type, ReadOnlySpan<byte> rest, out int length)
    {
        switch (type)
        {
            case ObdInfo.TypeCode:
                length = ObdInfo.FixedLength;
                if (rest.Length < ObdInfo.FixedLength)
                {
                    return false;
                }
                length = ObdInfo.LengthForDtcCount(rest[ObdInfo.FixedLength - 1]);
                break;
            case DieselDataStream.TypeCode:
                length = DieselDataStream.Length;
                break;
            case SparkIgnitionDataStream.TypeCode:
                length = SparkIgnitionDataStream.Length;
                break;
            case HybridSupplement.TypeCode:
                length = HybridSupplement.Length;
                break;
            case TwcNoxDataStream.TypeCode:
                length = TwcNoxDataStream.Length;
                break;
            case SupplementaryDataStream.TypeCode:
                length = SupplementaryDataStream.Length;
                break;
            default:
                length = 0;
                return false;
        }
        return rest.Length >= length;
    }

    /// <summary>Decodes a body whose length the caller has established. False for an unknown type or a wrong length.</summary>
    public static bool TryRead(byte type, ReadOnlySpan<byte> body, [NotNullWhen(true)] out Hj1239InfoUnit? unit)
    {
        unit = null;
        switch (type)
        {
            case ObdInfo.TypeCode when ObdInfo.TryRead(body, out var obd):
                unit = obd;
                break;
            case DieselDataStream.TypeCode when DieselDataStream.TryRead(body, out var diesel):
                unit = diesel;
                break;
            case SparkIgnitionDataStream.TypeCode when SparkIgnitionDataStream.TryRead(body, out var si):
                unit = si;
                break;
            case HybridSupplement.TypeCode when HybridSupplement.TryRead(body, out var hybrid):
                unit = hybrid;
                break;
            case TwcNoxDataStream.TypeCode when TwcNoxDataStream.TryRead(body, out var twc):
                unit = twc;
                break;
            case SupplementaryDataStream.TypeCode when SupplementaryDataStream.TryRead(body, out var sup):
                unit = sup;
                break;
        }
        return unit is not null;
    }

    /// <summary>
    /// Decodes a body the walker delimited: a catalogue type into its unit, any other type into a
    /// <see cref="UserDefinedData"/> delimited as <paramref name="userItems"/> says.
    /// </summary>
    public static bool TryRead(byte type, Hj1239UserItemLayout userItems, ReadOnlySpan<byte> body, [NotNullWhen(true)] out Hj1239InfoUnit? unit)
    {
        if (IsKnown(type))
        {
            return TryRead(type, body, out unit);
        }
        bool read = UserDefinedData.TryRead(type, userItems, body, out var user);
        unit = user;
        return read;
    }

    /// <summary>A stable snake_case name for logs and JSON; "user_defined" (0x81-0xFE) or "reserved" for other codes.</summary>
    public static string Name(byte type) => type switch
    {
        ObdInfo.TypeCode => "obd",
        DieselDataStream.TypeCode => "diesel_data_stream",
        SparkIgnitionDataStream.TypeCode => "spark_ignition_data_stream",
        HybridSupplement.TypeCode => "hybrid_supplement",
        TwcNoxDataStream.TypeCode => "twc_nox_data_stream",
        SupplementaryDataStream.TypeCode => "supplementary_data_stream",
        >= 0x81 and <= 0xFE => "user_defined",
        _ => "reserved",
    };
}
