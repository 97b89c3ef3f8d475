namespace LoadGen.Frames;

/// <summary>
/// Plausible physical values for one simulated vehicle, drawn once from its seed so that frames differ between
/// terminals while each terminal's template stays fixed (only times and serials are re-stamped).
/// </summary>
internal sealed class VehicleValues
{
    public VehicleValues(Random rng)
    {
        SpeedKmh = rng.Next(0, 120);
        OdometerKm = rng.Next(1_000, 400_000);
        PackVoltage = 320 + rng.Next(0, 80);
        PackCurrent = rng.Next(-50, 150);
        Soc = rng.Next(15, 98);
        CellMillivolts = 3_250 + rng.Next(0, 150);
        Temperature = 20 + rng.Next(0, 15);
        // Somewhere in eastern China, in 1e-6 degrees.
        LongitudeMicro = 110_000_000 + rng.Next(0, 12_000_000);
        LatitudeMicro = 22_000_000 + rng.Next(0, 18_000_000);
        EngineRpm = 800 + rng.Next(0, 1200);
        Random = rng;
    }

    public int SpeedKmh { get; }
    public int OdometerKm { get; }
    public int PackVoltage { get; }
    public int PackCurrent { get; }
    public int Soc { get; }
    public int CellMillivolts { get; }
    public int Temperature { get; }
    public int LongitudeMicro { get; }
    public int LatitudeMicro { get; }
    public int EngineRpm { get; }

    /// <summary>For small per-cell variation while building.</summary>
    public Random Random { get; }
}
