namespace LoadGen.Frames;

/// <summary>Info bodies of GB/T 32960.3-2016 realtime frames (§7.2.3; sizes in the protocol digest §1.5).</summary>
internal static class Gb2016Items
{
    /// <summary>Most cells one 0x08 subsystem entry carries in one frame.</summary>
    public const int MaxCellsPerEntry = 200;

    public static void Write(DataUnitWriter w, byte type, FrameShape shape, VehicleValues v)
    {
        w.Byte(type);
        switch (type)
        {
            case 0x01: WholeVehicle(w, v); break;
            case 0x02: Motors(w, shape.MotorCount, v); break;
            case 0x03: FuelCell(w, v); break;
            case 0x04: w.Byte(2).Word(0).Word(0); break; // engine off
            case 0x05: w.Byte(0).DWord(v.LongitudeMicro).DWord(v.LatitudeMicro); break;
            case 0x06: Extremes(w, v); break;
            case 0x07: w.Byte(0).DWord(0).Byte(0).Byte(0).Byte(0).Byte(0); break; // no alarm, four empty fault lists
            case 0x08: CellVoltages(w, shape.CellCount, v); break;
            case 0x09: ProbeTemperatures(w, shape.ProbeCount, v); break;
            case 0x80: OemBlock(w); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), $"No GB/T 32960-2016 body for info type {type:X2}.");
        }
    }

    /// <summary>0x01, 20 bytes.</summary>
    private static void WholeVehicle(DataUnitWriter w, VehicleValues v) =>
        w.Byte(1).Byte(3).Byte(1)                   // started, not charging, pure electric
         .Word(v.SpeedKmh * 10).DWord(v.OdometerKm * 10L)
         .Word(v.PackVoltage * 10).Word((v.PackCurrent + 1000) * 10)
         .Byte(v.Soc).Byte(1)                        // DC-DC working
         .Byte(0x2E)                                 // drive (14) with driving force
         .Word(5_000).Byte(15).Byte(0);             // insulation 5 MOhm, accelerator 15 %, brake 0 %

    /// <summary>0x02, 1 + 12 per motor.</summary>
    private static void Motors(DataUnitWriter w, int count, VehicleValues v)
    {
        w.Byte(count);
        for (int i = 1; i <= count; i++)
        {
            w.Byte(i).Byte(1).Byte(v.Temperature + 20 + 40)
             .Word(20_000 + v.SpeedKmh * 40).Word(20_000 + 300)
             .Byte(v.Temperature + 30 + 40).Word(v.PackVoltage * 10).Word((50 + 1000) * 10);
        }
    }

    /// <summary>0x03, 8 + probes + 10.</summary>
    private static void FuelCell(DataUnitWriter w, VehicleValues v)
    {
        const int probes = 4;
        w.Word(3_000).Word(1_000).Word(120).Word(probes);
        for (int i = 0; i < probes; i++)
        {
            w.Byte(v.Temperature + 40 + 40);
        }
        w.Word((60 + 40) * 10).Byte(1).Word(100).Byte(1).Word(350).Byte(1).Byte(1);
    }

    /// <summary>0x06, 14 bytes.</summary>
    private static void Extremes(DataUnitWriter w, VehicleValues v) =>
        w.Byte(1).Byte(7).Word(v.CellMillivolts + 30)
         .Byte(1).Byte(42).Word(v.CellMillivolts - 30)
         .Byte(1).Byte(3).Byte(v.Temperature + 3 + 40)
         .Byte(1).Byte(11).Byte(v.Temperature - 2 + 40);

    /// <summary>0x08: subsystems of at most 200 cells each, all in this frame.</summary>
    private static void CellVoltages(DataUnitWriter w, int cells, VehicleValues v)
    {
        int subsystems = (cells + MaxCellsPerEntry - 1) / MaxCellsPerEntry;
        w.Byte(subsystems);
        int remaining = cells;
        for (int s = 1; s <= subsystems; s++)
        {
            int m = Math.Min(remaining, MaxCellsPerEntry);
            remaining -= m;
            w.Byte(s).Word(v.PackVoltage * 10 / subsystems).Word((v.PackCurrent + 1000) * 10)
             .Word(m).Word(1).Byte(m);
            for (int i = 0; i < m; i++)
            {
                w.Word(v.CellMillivolts + v.Random.Next(-20, 21));
            }
        }
    }

    /// <summary>0x09: one subsystem with every probe.</summary>
    private static void ProbeTemperatures(DataUnitWriter w, int probes, VehicleValues v)
    {
        w.Byte(1).Byte(1).Word(probes);
        for (int i = 0; i < probes; i++)
        {
            w.Byte(v.Temperature + v.Random.Next(-2, 3) + 40);
        }
    }

    /// <summary>0x80: an OEM block of 16 opaque bytes (type + WORD length + bytes).</summary>
    internal static void OemBlock(DataUnitWriter w)
    {
        w.Word(16);
        for (int i = 0; i < 16; i++)
        {
            w.Byte(i * 17);
        }
    }
}
