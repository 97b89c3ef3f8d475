namespace Ingest.Protocol.Gb32960.InfoUnits;

// State codes shared by several info units. Byte-backed, so a value outside the table survives decoding and
// re-encoding unchanged; 0xFE/0xFF are the standard's abnormal/invalid sentinels.

/// <summary>Vehicle state (2016 table 9 item 1).</summary>
public enum VehicleState : byte
{
    Started = 0x01,
    Off = 0x02,
    Other = 0x03,
    Abnormal = 0xFE,
    Invalid = 0xFF,
}

/// <summary>Charging state (2016 table 9 item 2).</summary>
public enum ChargingState : byte
{
    ParkedCharging = 0x01,
    DrivingCharging = 0x02,
    NotCharging = 0x03,
    ChargeComplete = 0x04,
    Abnormal = 0xFE,
    Invalid = 0xFF,
}

/// <summary>Running mode (2016 table 9 item 3).</summary>
public enum RunningMode : byte
{
    Electric = 0x01,
    Hybrid = 0x02,
    Fuel = 0x03,
    Abnormal = 0xFE,
    Invalid = 0xFF,
}

/// <summary>DC-DC converter state (vehicle data, fuel cell).</summary>
public enum DcDcState : byte
{
    Working = 0x01,
    Off = 0x02,
    Abnormal = 0xFE,
    Invalid = 0xFF,
}

/// <summary>Drive motor state (2016 table 11).</summary>
public enum MotorState : byte
{
    Consuming = 0x01,
    Generating = 0x02,
    Off = 0x03,
    Ready = 0x04,
    Abnormal = 0xFE,
    Invalid = 0xFF,
}

/// <summary>Engine state (2016 table 13).</summary>
public enum EngineState : byte
{
    On = 0x01,
    Off = 0x02,
    Abnormal = 0xFE,
    Invalid = 0xFF,
}

/// <summary>Coordinate system of a 2025 location.</summary>
public enum CoordinateSystem : byte
{
    Wgs84 = 0x01,
    Gcj02 = 0x02,
    Other = 0x03,
    Abnormal = 0xFE,
    Invalid = 0xFF,
}

/// <summary>snake_case names of the state codes, or null for a code outside the table.</summary>
public static class StateNames
{
    public static string? Of<TEnum>(TEnum value) where TEnum : struct, Enum =>
        Enum.IsDefined(value) ? Snake(value.ToString()) : null;

    private static string Snake(string pascal)
    {
        var sb = new System.Text.StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    sb.Append('_');
                }
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
