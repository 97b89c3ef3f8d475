using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.Redis;

namespace Ingest.Sinks.ClickHouse;

/// <summary>
/// The latest stored state of every vehicle, for rebuilding Redis after it lost its data: one grouped query per table
/// (<c>vehicle_samples</c>, <c>emission_samples</c>, then <c>sessions</c>, whose logout must win a tie in the same
/// second), each taking per VIN the newest value of every field with <c>argMax</c> by sample time. Aggregates over
/// <c>Nullable</c> columns skip NULLs, so a field is the newest one reported: what the merge would have kept.
/// <para>
/// No <c>FINAL</c>: a retried batch leaves identical copies of a row, which change no maximum, and FINAL would make
/// 18.16 merge whole tables in memory. Times are unix seconds; the SQL runs on 18.16 and current servers.
/// </para>
/// </summary>
public sealed class ClickHouseVehicleStateSource(ClickHouseDatabase database) : IVehicleStateSource
{
    public async IAsyncEnumerable<VehicleState> ReadLatestAsync(DateTimeOffset since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var from = SqlLiteral.DateTime(since);
        var vehicles =
            "SELECT vin, toUnixTimestamp(max(device_time)) AS sample_time, toUnixTimestamp(argMax(received_at, device_time)) AS seen_at, " +
            "argMax(node, device_time) AS last_node, argMax(spool_offset, device_time) AS last_offset, " +
            "argMax(speed_kmh, device_time) AS speed, argMax(soc_pct, device_time) AS soc, argMax(odometer_km, device_time) AS odometer, " +
            "argMax(position_valid, device_time) AS fix, argMaxIf(lon, device_time, position_valid = 1) AS lon_deg, " +
            "argMaxIf(lat, device_time, position_valid = 1) AS lat_deg, argMax(alarm_level, device_time) AS alarm, " +
            "argMax(alarm_flags, device_time) AS flags " +
            $"FROM {database.Qualified(VehicleSampleRow.Table.Name)} WHERE device_time >= {from} GROUP BY vin";
        await foreach (var row in database.StreamJsonEachRowAsync(vehicles, LatestStateJsonContext.Default.LatestVehicleSample, cancellationToken)
            .ConfigureAwait(false))
        {
            yield return new VehicleState
            {
                Vin = row.Vin,
                ReceivedAt = DateTimeOffset.FromUnixTimeSeconds(row.ReceivedAt),
                DeviceTime = DateTimeOffset.FromUnixTimeSeconds(row.SampleTime),
                Node = row.Node,
                Protocol = "gb32960",
                SpoolOffset = row.SpoolOffset,
                SpeedKmh = row.SpeedKmh,
                SocPct = row.SocPct,
                OdometerKm = row.OdometerKm,
                PositionValid = row.PositionValid == 1,
                Longitude = row.Longitude,
                Latitude = row.Latitude,
                AlarmLevel = row.AlarmLevel,
                AlarmFlags = row.AlarmFlags,
            };
        }

        var emissions =
            "SELECT vin, toUnixTimestamp(max(collection_time)) AS sample_time, toUnixTimestamp(argMax(received_at, collection_time)) AS seen_at, " +
            "argMax(node, collection_time) AS last_node, argMax(spool_offset, collection_time) AS last_offset, " +
            "argMax(speed_kmh, collection_time) AS speed, argMax(fuel_level_pct, collection_time) AS fuel, " +
            "argMax(odometer_km, collection_time) AS odometer, argMax(nox_downstream_ppm, collection_time) AS nox, " +
            "argMaxIf(lon, collection_time, position_valid = 1) AS lon_deg, argMaxIf(lat, collection_time, position_valid = 1) AS lat_deg, " +
            "argMaxIf(mil_status, collection_time, mil_status < 2) AS mil " +
            $"FROM {database.Qualified(EmissionSampleRow.Table.Name)} WHERE collection_time >= {from} GROUP BY vin";
        await foreach (var row in database.StreamJsonEachRowAsync(emissions, LatestStateJsonContext.Default.LatestEmissionSample, cancellationToken)
            .ConfigureAwait(false))
        {
            yield return new VehicleState
            {
                Vin = row.Vin,
                ReceivedAt = DateTimeOffset.FromUnixTimeSeconds(row.ReceivedAt),
                DeviceTime = DateTimeOffset.FromUnixTimeSeconds(row.SampleTime),
                Node = row.Node,
                Protocol = "hj1239",
                SpoolOffset = row.SpoolOffset,
                SpeedKmh = row.SpeedKmh,
                FuelLevelPct = row.FuelLevelPct,
                OdometerKm = row.OdometerKm,
                NoxPpm = row.NoxPpm,
                PositionValid = row.Longitude is null ? null : true,
                Longitude = row.Longitude,
                Latitude = row.Latitude,
                Mil = row.MilStatus is { } mil ? mil == 1 : null,
            };
        }

        var sessions =
            "SELECT vin, toString(argMax(event, received_at)) AS last_event, toUnixTimestamp(max(received_at)) AS seen_at, " +
            "argMax(node, received_at) AS last_node, toString(argMax(protocol, received_at)) AS last_protocol " +
            $"FROM {database.Qualified(SessionEventRow.Table.Name)} " +
            $"WHERE received_at >= {from} AND event IN ('vehicle_login', 'vehicle_logout') GROUP BY vin";
        await foreach (var row in database.StreamJsonEachRowAsync(sessions, LatestStateJsonContext.Default.LatestSessionEvent, cancellationToken)
            .ConfigureAwait(false))
        {
            yield return new VehicleState
            {
                Vin = row.Vin,
                ReceivedAt = DateTimeOffset.FromUnixTimeSeconds(row.ReceivedAt),
                Online = row.Event == "vehicle_login",
                Node = row.Node,
                Protocol = row.Protocol is "gb32960" or "hj1239" ? row.Protocol : null,
            };
        }
    }
}

internal sealed record LatestVehicleSample(
    [property: JsonPropertyName("vin")] string Vin,
    [property: JsonPropertyName("sample_time")] long SampleTime,
    [property: JsonPropertyName("seen_at")] long ReceivedAt,
    [property: JsonPropertyName("last_node")] string Node,
    [property: JsonPropertyName("last_offset")] long SpoolOffset,
    [property: JsonPropertyName("speed")] double? SpeedKmh,
    [property: JsonPropertyName("soc")] double? SocPct,
    [property: JsonPropertyName("odometer")] double? OdometerKm,
    [property: JsonPropertyName("fix")] int PositionValid,
    [property: JsonPropertyName("lon_deg")] double? Longitude,
    [property: JsonPropertyName("lat_deg")] double? Latitude,
    [property: JsonPropertyName("alarm")] int? AlarmLevel,
    [property: JsonPropertyName("flags")] uint? AlarmFlags);

internal sealed record LatestEmissionSample(
    [property: JsonPropertyName("vin")] string Vin,
    [property: JsonPropertyName("sample_time")] long SampleTime,
    [property: JsonPropertyName("seen_at")] long ReceivedAt,
    [property: JsonPropertyName("last_node")] string Node,
    [property: JsonPropertyName("last_offset")] long SpoolOffset,
    [property: JsonPropertyName("speed")] double? SpeedKmh,
    [property: JsonPropertyName("fuel")] double? FuelLevelPct,
    [property: JsonPropertyName("odometer")] double? OdometerKm,
    [property: JsonPropertyName("nox")] double? NoxPpm,
    [property: JsonPropertyName("lon_deg")] double? Longitude,
    [property: JsonPropertyName("lat_deg")] double? Latitude,
    [property: JsonPropertyName("mil")] int? MilStatus);

internal sealed record LatestSessionEvent(
    [property: JsonPropertyName("vin")] string Vin,
    [property: JsonPropertyName("last_event")] string Event,
    [property: JsonPropertyName("seen_at")] long ReceivedAt,
    [property: JsonPropertyName("last_node")] string Node,
    [property: JsonPropertyName("last_protocol")] string? Protocol);

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(LatestVehicleSample))]
[JsonSerializable(typeof(LatestEmissionSample))]
[JsonSerializable(typeof(LatestSessionEvent))]
internal sealed partial class LatestStateJsonContext : JsonSerializerContext
{
}
