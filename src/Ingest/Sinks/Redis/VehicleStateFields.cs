using System.Globalization;
using StackExchange.Redis;

namespace Ingest.Sinks.Redis;

/// <summary>
/// The state hash's fields. Presence fields are guarded by <c>last_seen_ms</c>, telemetry fields by
/// <c>device_time_ms</c> (see <see cref="VehicleState"/>). Numbers are invariant-culture text; times are unix ms.
/// </summary>
internal static class VehicleStateFields
{
    public const string LastSeenMs = "last_seen_ms";
    public const string DeviceTimeMs = "device_time_ms";
    public const string Vin = "vin";
    public const string Online = "online";
    public const string Node = "node";
    public const string Protocol = "protocol";
    public const string ReceivedAtMs = "received_at_ms";
    public const string Longitude = "lon";
    public const string Latitude = "lat";
    public const string PositionValid = "position_valid";
    public const string SpeedKmh = "speed_kmh";
    public const string SocPct = "soc_pct";
    public const string FuelLevelPct = "fuel_level_pct";
    public const string OdometerKm = "odometer_km";
    public const string AlarmLevel = "alarm_level";
    public const string AlarmFlags = "alarm_flags";
    public const string Mil = "mil";
    public const string NoxPpm = "nox_ppm";
    public const string SpoolOffset = "spool_offset";

    public static void AddPresence(List<RedisValue> values, VehicleState update)
    {
        Add(values, Vin, update.Vin);
        Add(values, Online, update.Online ? "1" : "0");
        Add(values, Node, update.Node);
        Add(values, Protocol, update.Protocol);
    }

    public static void AddTelemetry(List<RedisValue> values, VehicleState update)
    {
        Add(values, ReceivedAtMs, update.ReceivedAt.ToUnixTimeMilliseconds());
        Add(values, Longitude, update.Longitude);
        Add(values, Latitude, update.Latitude);
        Add(values, PositionValid, update.PositionValid is { } valid ? (valid ? "1" : "0") : null);
        Add(values, SpeedKmh, update.SpeedKmh);
        Add(values, SocPct, update.SocPct);
        Add(values, FuelLevelPct, update.FuelLevelPct);
        Add(values, OdometerKm, update.OdometerKm);
        Add(values, AlarmLevel, update.AlarmLevel);
        Add(values, AlarmFlags, update.AlarmFlags);
        Add(values, Mil, update.Mil is { } mil ? (mil ? "1" : "0") : null);
        Add(values, NoxPpm, update.NoxPpm);
        Add(values, SpoolOffset, update.SpoolOffset);
    }

    public static VehicleState? Parse(string vin, HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }
        var fields = entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
        var lastSeen = Time(fields, LastSeenMs);
        return new VehicleState
        {
            Vin = fields.GetValueOrDefault(Vin) ?? vin,
            ReceivedAt = Time(fields, ReceivedAtMs) ?? lastSeen ?? DateTimeOffset.UnixEpoch,
            DeviceTime = Time(fields, DeviceTimeMs),
            LastSeen = lastSeen,
            Online = fields.GetValueOrDefault(Online) == "1",
            Node = fields.GetValueOrDefault(Node),
            Protocol = fields.GetValueOrDefault(Protocol),
            Longitude = Double(fields, Longitude),
            Latitude = Double(fields, Latitude),
            PositionValid = Flag(fields, PositionValid),
            SpeedKmh = Double(fields, SpeedKmh),
            SocPct = Double(fields, SocPct),
            FuelLevelPct = Double(fields, FuelLevelPct),
            OdometerKm = Double(fields, OdometerKm),
            AlarmLevel = fields.TryGetValue(AlarmLevel, out var level) ? int.Parse(level, CultureInfo.InvariantCulture) : null,
            AlarmFlags = fields.TryGetValue(AlarmFlags, out var flags) ? uint.Parse(flags, CultureInfo.InvariantCulture) : null,
            Mil = Flag(fields, Mil),
            NoxPpm = Double(fields, NoxPpm),
            SpoolOffset = fields.TryGetValue(SpoolOffset, out var offset) ? long.Parse(offset, CultureInfo.InvariantCulture) : null,
        };
    }

    private static void Add(List<RedisValue> values, string name, string? value)
    {
        if (value is not null)
        {
            values.Add(name);
            values.Add(value);
        }
    }

    private static void Add(List<RedisValue> values, string name, double? value) =>
        Add(values, name, value?.ToString("R", CultureInfo.InvariantCulture));

    private static void Add(List<RedisValue> values, string name, long? value) =>
        Add(values, name, value?.ToString(CultureInfo.InvariantCulture));

    private static void Add(List<RedisValue> values, string name, int? value) =>
        Add(values, name, value?.ToString(CultureInfo.InvariantCulture));

    private static void Add(List<RedisValue> values, string name, uint? value) =>
        Add(values, name, value?.ToString(CultureInfo.InvariantCulture));

    private static DateTimeOffset? Time(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(text, CultureInfo.InvariantCulture)) : null;

    private static double? Double(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : null;

    private static bool? Flag(Dictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) ? text == "1" : null;
}
