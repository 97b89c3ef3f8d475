namespace Ingest.Sinks.Redis;

/// <summary>
/// The latest known state of one vehicle, and (with the same shape) an update to it. In an update, a null field means
/// "not in this frame": the stored value is kept. Telemetry fields are applied only when the update's
/// <see cref="DeviceTime"/> is not older than the stored one (reissued or replayed data never rolls the state back);
/// presence fields (<see cref="Online"/>, <see cref="LastSeen"/>, <see cref="Node"/>, <see cref="Protocol"/>) only when
/// its receive time is not older than the stored <see cref="LastSeen"/>.
/// </summary>
public sealed record VehicleState
{
    public required string Vin { get; init; }

    /// <summary>Receive time of the update (for a stored state: of the update its telemetry came from).</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Collection time in the frame; telemetry of an update without one is not applied.</summary>
    public DateTimeOffset? DeviceTime { get; init; }

    /// <summary>Stored state: latest receive time of any update. Ignored in updates (their <see cref="ReceivedAt"/> counts).</summary>
    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>False for a logout; true otherwise (any frame means the vehicle is there).</summary>
    public bool Online { get; init; } = true;

    /// <summary>Ingest node holding the vehicle's connection.</summary>
    public string? Node { get; init; }

    /// <summary><c>gb32960</c> or <c>hj1239</c>.</summary>
    public string? Protocol { get; init; }

    public double? Longitude { get; init; }
    public double? Latitude { get; init; }
    public bool? PositionValid { get; init; }
    public double? SpeedKmh { get; init; }
    /// <summary>Battery state of charge (GB/T 32960).</summary>
    public double? SocPct { get; init; }
    /// <summary>Fuel level (HJ 1239).</summary>
    public double? FuelLevelPct { get; init; }
    public double? OdometerKm { get; init; }
    public int? AlarmLevel { get; init; }
    public uint? AlarmFlags { get; init; }
    /// <summary>Malfunction indicator lamp on (HJ 1239 OBD).</summary>
    public bool? Mil { get; init; }
    /// <summary>Downstream (tailpipe) NOx, ppm (HJ 1239).</summary>
    public double? NoxPpm { get; init; }
    /// <summary>Spool offset of the update the telemetry came from.</summary>
    public long? SpoolOffset { get; init; }

    /// <summary>Whether the telemetry part of this update may replace telemetry from <paramref name="storedDeviceTime"/>.</summary>
    internal bool TelemetryIsNotOlderThan(DateTimeOffset? storedDeviceTime) =>
        DeviceTime is { } time && (storedDeviceTime is not { } stored || time >= stored);
}
