namespace Ingest.Protocol.Gb32960.InfoUnits;

/// <summary>
/// Dispatches on the info kind: how long an item's body is (for the walker, without allocating) and how to decode
/// it (for the full decoder). Every layout lives in its own info-unit file; this only routes.
/// </summary>
internal static class InfoUnitReader
{
    /// <summary>Body length not determinable from the bytes: the layout is unknown.</summary>
    public const int NotWalkable = -2;

    /// <summary>The body would run past the data unit.</summary>
    public const int Truncated = -1;

    /// <summary>Bytes after the type byte, <see cref="Truncated"/>, or <see cref="NotWalkable"/>.</summary>
    public static int Measure(Gb32960InfoKind kind, Gb32960Edition edition, ReadOnlySpan<byte> rest) => kind switch
    {
        Gb32960InfoKind.VehicleData => VehicleData.Measure(rest, edition),
        Gb32960InfoKind.DriveMotors => DriveMotors.Measure(rest, edition),
        Gb32960InfoKind.FuelCell when edition == Gb32960Edition.V2016 => FuelCell.Measure(rest),
        Gb32960InfoKind.Engine => Engine.Measure(rest, edition),
        Gb32960InfoKind.Location => Location.Measure(rest, edition),
        Gb32960InfoKind.Extremes => Extremes.Measure(rest),
        Gb32960InfoKind.Alarms => Alarms.Measure(rest, edition),
        Gb32960InfoKind.CellVoltages => CellVoltages.Measure(rest, edition),
        Gb32960InfoKind.ProbeTemperatures => ProbeTemperatures.Measure(rest),
        Gb32960InfoKind.Oem => OemData.Measure(rest),
        _ => NotWalkable,
    };

    /// <summary>Decodes a body whose length <see cref="Measure"/> has already checked.</summary>
    public static Gb32960InfoUnit Read(byte type, Gb32960InfoKind kind, ReadOnlyMemory<byte> body, Gb32960Edition edition) => kind switch
    {
        Gb32960InfoKind.VehicleData => VehicleData.Read(body.Span, edition),
        Gb32960InfoKind.DriveMotors => DriveMotors.Read(body.Span, edition),
        Gb32960InfoKind.FuelCell => FuelCell.Read(body),
        Gb32960InfoKind.Engine => Engine.Read(body.Span, edition),
        Gb32960InfoKind.Location => Location.Read(body.Span, edition),
        Gb32960InfoKind.Extremes => Extremes.Read(body.Span),
        Gb32960InfoKind.Alarms => Alarms.Read(body.Span, edition),
        Gb32960InfoKind.CellVoltages => CellVoltages.Read(body.Span, edition),
        Gb32960InfoKind.ProbeTemperatures => ProbeTemperatures.Read(body, edition),
        Gb32960InfoKind.Oem => OemData.Read(type, body),
        _ => Unreachable(kind),
    };

    private static Gb32960InfoUnit Unreachable(Gb32960InfoKind kind)
    {
        Errors.ThrowHelper.InvalidOperation($"Info kind {kind} has no decoder; the walker should have stopped there.");
        return null!;
    }
}
