using Ingest.Protocol.Primitives;

namespace LoadGen.Frames;

/// <summary>Info bodies shared by HJ 1239 and GB 17691 Annex Q realtime frames (protocol digest §3.5, J1939 scalings).</summary>
internal static class HjItems
{
    public const int SignaturePartLength = 32;

    public static void Write(DataUnitWriter w, byte type, Vin vin, VehicleValues v)
    {
        switch (type)
        {
            case 0x01: Obd(w, vin); break;
            case 0x02: Diesel(w, v); break;
            case 0x03: SparkIgnition(w, v, withNox: false); break;
            case 0x04: w.Word(v.EngineRpm).Byte(40).Word(v.PackVoltage * 10).Word((v.PackCurrent + 1000) * 10).Byte(v.Soc); break;
            case 0x05: SparkIgnition(w, v, withNox: true); break;
            case 0x80: Supplementary(w, v); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), $"No HJ 1239 body for info type {type:X2}.");
        }
    }

    /// <summary>0x01 OBD, 96 bytes with no trouble codes.</summary>
    private static void Obd(DataUnitWriter w, Vin vin)
    {
        w.Byte(2).Byte(0).Word(0x0C21).Word(0x0000);         // SAE J1939, MIL off, support and readiness maps
        w.Bytes(vin.AsSpan());
        w.Ascii("CAL0000000000001", 18, 0x00);
        w.Ascii("1A2B3C4D", 18, 0x00);
        for (int i = 0; i < 18; i++)
        {
            w.Word(i % 2 == 0 ? 100 + i : 120 + i);           // IUPR numerators and denominators
        }
        w.Byte(0);
    }

    /// <summary>0x02 diesel data stream, 37 bytes.</summary>
    private static void Diesel(DataUnitWriter w, VehicleValues v)
    {
        Common(w, v);
        w.Word((40 + 200) * 20).Word((8 + 200) * 20)          // NOx upstream 40 ppm, downstream 8 ppm
         .Byte((int)(80 * 2.5)).Word(400 * 20)                 // urea 80 %, intake air 400 kg/h
         .Word((300 + 273) * 32).Word((280 + 273) * 32)      // SCR in/out temperatures
         .Word(25).Byte(v.Temperature + 60 + 40)             // DPF dP 2.5 kPa, coolant
         .Byte((int)(60 * 2.5));                               // fuel level 60 %
        Position(w, v);
    }

    /// <summary>0x03 (30 bytes) and 0x05 (32 bytes, with NOx) spark-ignition data streams.</summary>
    private static void SparkIgnition(DataUnitWriter w, VehicleValues v, bool withNox)
    {
        Common(w, v);
        w.Word(32_768).Byte(45);                               // upstream O2 lambda 1.0, downstream 0.45 V
        if (withNox)
        {
            w.Word((20 + 200) * 20);
        }
        w.Word(200 * 20).Byte(v.Temperature + 60 + 40).Word((500 + 273) * 32);
        Position(w, v);
    }

    /// <summary>Fields 1-6 of every data stream: speed, barometric pressure, torques, engine speed, fuel flow.</summary>
    private static void Common(DataUnitWriter w, VehicleValues v) =>
        w.Word(v.SpeedKmh * 256).Byte(200).Byte(125 + 35).Byte(125 + 8)
         .Word(v.EngineRpm * 8).Word(25 * 20);

    private static void Position(DataUnitWriter w, VehicleValues v) =>
        w.Byte(0).DWord(v.LongitudeMicro).DWord(v.LatitudeMicro).DWord(v.OdometerKm * 10L);

    /// <summary>0x80 supplementary data stream, 17 bytes.</summary>
    private static void Supplementary(DataUnitWriter w, VehicleValues v) =>
        w.Byte(1).Byte((int)(20 * 2.5)).DWord(v.OdometerKm * 2L / 3).Byte(v.Temperature + 40)
         .DWord(1_500).DWord(v.OdometerKm * 5L).Word((280 + 273) * 32);

    /// <summary>R length BYTE + R + S length BYTE + S, random bytes (no security chip here).</summary>
    public static void WriteSignature(DataUnitWriter w, Random rng)
    {
        Span<byte> part = stackalloc byte[SignaturePartLength];
        rng.NextBytes(part);
        w.Byte(SignaturePartLength).Bytes(part);
        rng.NextBytes(part);
        w.Byte(SignaturePartLength).Bytes(part);
    }
}
