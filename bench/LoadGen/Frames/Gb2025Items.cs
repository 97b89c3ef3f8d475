namespace LoadGen.Frames;

/// <summary>Info bodies of GB/T 32960.3-2025 realtime frames (protocol digest Part 2, checked against rtm_con's frames).</summary>
internal static class Gb2025Items
{
    public const byte SignatureStart = 0xFF;
    public const byte Sm2 = 0x01;

    public static void Write(DataUnitWriter w, byte type, FrameShape shape, VehicleValues v)
    {
        w.Byte(type);
        switch (type)
        {
            case 0x01: WholeVehicle(w, v); break;
            case 0x02: Motors(w, shape.MotorCount, v); break;
            case 0x04: w.Word(0); break; // engine: crankshaft speed only
            case 0x05: w.Byte(0).Byte(1).DWord(v.LongitudeMicro).DWord(v.LatitudeMicro); break; // WGS-84
            case 0x06: w.Byte(0).DWord(0).Byte(0).Byte(0).Byte(0).Byte(0).Byte(0); break; // alarms: 2016 part + empty (id, level) list
            case 0x07: CellVoltages(w, shape.CellCount, v); break;
            case 0x08: ProbeTemperatures(w, shape.ProbeCount, v); break;
            case 0x80: Gb2016Items.OemBlock(w); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), $"No GB/T 32960-2025 body for info type {type:X2}.");
        }
    }

    /// <summary>0x01, 18 bytes: current offset -3000 A, no pedal bytes.</summary>
    private static void WholeVehicle(DataUnitWriter w, VehicleValues v) =>
        w.Byte(1).Byte(3).Byte(1)
         .Word(v.SpeedKmh * 10).DWord(v.OdometerKm * 10L)
         .Word(v.PackVoltage * 10).Word((v.PackCurrent + 3000) * 10)
         .Byte(v.Soc).Byte(1).Byte(0x0E).Word(5_000);

    /// <summary>0x02: count + 10 bytes per motor (speed offset -32000 rpm, torque DWORD offset -20000 N*m).</summary>
    private static void Motors(DataUnitWriter w, int count, VehicleValues v)
    {
        w.Byte(count);
        for (int i = 1; i <= count; i++)
        {
            w.Byte(i).Byte(1).Byte(v.Temperature + 20 + 40)
             .Word(32_000 + v.SpeedKmh * 40).DWord((20_000 + 30) * 10L)
             .Byte(v.Temperature + 30 + 40);
        }
    }

    /// <summary>0x07: one pack with every cell (2025 frames are not split).</summary>
    private static void CellVoltages(DataUnitWriter w, int cells, VehicleValues v)
    {
        w.Byte(1).Byte(1).Word(v.PackVoltage * 10).Word((v.PackCurrent + 3000) * 10).Word(cells);
        for (int i = 0; i < cells; i++)
        {
            w.Word(v.CellMillivolts + v.Random.Next(-20, 21));
        }
    }

    private static void ProbeTemperatures(DataUnitWriter w, int probes, VehicleValues v)
    {
        w.Byte(1).Byte(1).Word(probes);
        for (int i = 0; i < probes; i++)
        {
            w.Byte(v.Temperature + v.Random.Next(-2, 3) + 40);
        }
    }

    /// <summary>0xFF, then algorithm (SM2) + R length WORD + R + S length WORD + S. The bytes are random: no key exists here.</summary>
    public static void WriteSignature(DataUnitWriter w, Random rng)
    {
        Span<byte> part = stackalloc byte[32];
        w.Byte(SignatureStart).Byte(Sm2);
        rng.NextBytes(part);
        w.Word(part.Length).Bytes(part);
        rng.NextBytes(part);
        w.Word(part.Length).Bytes(part);
    }
}
