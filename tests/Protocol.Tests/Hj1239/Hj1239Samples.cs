using System.Buffers.Binary;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;
using Protocol.Tests.Support;

namespace Protocol.Tests.Hj1239;

/// <summary>Real HJ/GB 17691 vectors and hand-built frames shared by the HJ 1239 tests.</summary>
internal static class Hj1239Samples
{
    public static readonly Vin TestVin = Vin.Parse("LEWPCA000JF260134");

    public static readonly GbTime T0 = new(24, 5, 14, 18, 18, 19);

    /// <summary>Vector rows whose header byte 3 is a VIN character: the GB 17691 / HJ 1239 frames.</summary>
    public static IEnumerable<Vector> HjVectors(params string[] expects) =>
        VectorCatalog.WithExpect(expects).Where(v => v.Kind == "frame" && char.IsAsciiLetterOrDigit((char)v.Bytes[3]));

    public static TheoryData<Vector> Theory(params string[] expects)
    {
        var data = new TheoryData<Vector>();
        foreach (var v in HjVectors(expects))
        {
            data.Add(v);
        }
        return data;
    }

    /// <summary>The same header with another data unit: length field and check byte recomputed, so framing passes.</summary>
    public static byte[] WithDataUnit(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> dataUnit)
    {
        var bytes = new byte[FrameHeader.Overhead + dataUnit.Length];
        frame[..FrameHeader.Size].CopyTo(bytes);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(22), (ushort)dataUnit.Length);
        dataUnit.CopyTo(bytes.AsSpan(FrameHeader.Size));
        FrameEncoding.Seal(bytes);
        return bytes;
    }

    public static ReadOnlySpan<byte> DataUnit(byte[] frame) => frame.AsSpan(FrameHeader.Size, frame.Length - FrameHeader.Overhead);

    public static GbTime Second(int s) => new(T0.Year, T0.Month, T0.Day, T0.Hour, T0.Minute, (byte)s);

    public static DieselDataStream Diesel(int sample) => new()
    {
        VehicleSpeedRaw = (ushort)(60 * 256 + sample),
        BarometricPressureRaw = 197,
        EngineNetTorqueRaw = 150,
        FrictionTorqueRaw = 130,
        EngineSpeedRaw = (ushort)(1200 * 8 + sample),
        FuelFlowRaw = 400,
        ScrUpstreamNoxRaw = (ushort)((500 + 200) * 20),
        ScrDownstreamNoxRaw = (ushort)((40 + 200) * 20),
        ReagentRemainingRaw = 200,
        IntakeAirFlowRaw = 8000,
        ScrInletTemperatureRaw = (273 + 300) * 32,
        ScrOutletTemperatureRaw = 0xFEFF,
        DpfDifferentialPressureRaw = 55,
        CoolantTemperatureRaw = 125,
        FuelLevelRaw = 0xFF,
        Position = new GnssPosition(0, 116_397_128, 39_916_527),
        OdometerRaw = 1_234_567,
    };

    public static ObdInfo Obd(params uint[] dtcs) => new()
    {
        ProtocolRaw = 2,
        MilRaw = 1,
        DiagnosticSupport = ObdMonitors.Catalyst | ObdMonitors.Dpf | ObdMonitors.ScrNoxAdsorber,
        DiagnosticReadiness = ObdMonitors.Dpf,
        Vin = TestVin,
        CalibrationIdBytes = "CAL-0001\0\0\0\0\0\0\0\0\0\0"u8.ToArray(),
        CvnBytes = Enumerable.Range(0, 18).Select(i => (byte)i).ToArray(),
        IuprBytes = Enumerable.Range(0, 36).Select(i => (byte)(i * 7)).ToArray(),
        DtcCountRaw = (byte)dtcs.Length,
        Dtcs = dtcs,
    };

    public static SparkIgnitionDataStream SparkIgnition() => new()
    {
        VehicleSpeedRaw = 30 * 256,
        BarometricPressureRaw = 200,
        EngineNetTorqueRaw = 140,
        FrictionTorqueRaw = 128,
        EngineSpeedRaw = 2000 * 8,
        FuelFlowRaw = 100,
        UpstreamOxygenRaw = 32787,
        DownstreamOxygenRaw = 45,
        IntakeAirFlowRaw = 900,
        CoolantTemperatureRaw = 130,
        CatalystTemperatureRaw = (273 + 650) * 32,
        Position = new GnssPosition(0b110, 70_000_000, 33_000_000),
        OdometerRaw = 99,
    };

    public static TwcNoxDataStream TwcNox() => new()
    {
        VehicleSpeedRaw = 45 * 256,
        BarometricPressureRaw = 199,
        EngineNetTorqueRaw = 0xFE,
        FrictionTorqueRaw = 125,
        EngineSpeedRaw = 900 * 8,
        FuelFlowRaw = 60,
        UpstreamOxygenRaw = 0xFFFF,
        DownstreamOxygenRaw = 80,
        NoxRaw = (ushort)((120 + 200) * 20),
        IntakeAirFlowRaw = 500,
        CoolantTemperatureRaw = 120,
        CatalystTemperatureRaw = 0xFFFE,
        Position = new GnssPosition(1, 0, 0),
        OdometerRaw = 0xFFFFFFFF,
    };

    public static HybridSupplement Hybrid() => new()
    {
        MotorSpeedRaw = 3000,
        MotorLoadRaw = 55,
        BatteryVoltageRaw = 6000,
        BatteryCurrentRaw = 10_500,
        StateOfChargeRaw = 80,
    };

    public static SupplementaryDataStream Supplementary() => new()
    {
        EngineTorqueMode = 3,
        AcceleratorPedalRaw = 100,
        TotalFuelUsedRaw = 200_000,
        UreaTankTemperatureRaw = 60,
        UreaDosingRaw = 12_345,
        TotalUreaUsedRaw = 4_000,
        DpfExhaustTemperatureRaw = (273 + 400) * 32,
    };

    public static Hj1239Signature Signature() => new(
        Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(),
        Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());

    /// <summary>An HJ 1239 realtime frame with one item of every type, per-item times and an R/S signature.</summary>
    public static Hj1239Frame HjEveryType(bool signed = true, bool reissue = false) => Hj1239Frame.Create(
        reissue ? Hj1239Command.Reissue : Hj1239Command.Realtime, TestVin, 0x06, Hj1239Layout.Hj1239,
        new Hj1239DataBody(reissue, Second(30), 7,
        [
            Hj1239InfoItem.Hj1239(Second(20), Obd(0x00012345, 0x0000ABCD)),
            Hj1239InfoItem.Hj1239(Second(21), Diesel(0)),
            Hj1239InfoItem.Hj1239(Second(22), SparkIgnition()),
            Hj1239InfoItem.Hj1239(Second(23), Hybrid()),
            Hj1239InfoItem.Hj1239(Second(24), TwcNox()),
            Hj1239InfoItem.Hj1239(Second(25), Supplementary()),
        ],
        signed ? Signature() : null));

    /// <summary>Ten 1 Hz diesel samples in one HJ 1239 frame, as GPS-time-mode terminals send them.</summary>
    public static Hj1239Frame HjTenSamples() => Hj1239Frame.Create(Hj1239Command.Realtime, TestVin, 0x06, Hj1239Layout.Hj1239,
        new Hj1239DataBody(false, Second(10), 300,
            Enumerable.Range(0, 10).Select(i => Hj1239InfoItem.Hj1239(Second(i), Diesel(i))).ToArray(),
            Signature()));

    /// <summary>Ten diesel samples in one Annex Q frame with consecutive serials (XCMG style).</summary>
    public static Hj1239Frame AnnexQTenSamples() => Hj1239Frame.Create(Hj1239Command.Realtime, TestVin, 0x01, Hj1239Layout.AnnexQ,
        new Hj1239DataBody(false, Second(10), null,
            Enumerable.Range(0, 10).Select(i => Hj1239InfoItem.AnnexQ((ushort)(100 + i), Diesel(i))).ToArray()));

    public static Hj1239Frame RemovalAlarm(bool signed) => Hj1239Frame.Create(Hj1239Command.RemovalAlarm, TestVin, 0x06,
        Hj1239Layout.Hj1239, new Hj1239RemovalAlarmBody(T0, 9, new GnssPosition(0b010, 112_186_000, 32_134_000), signed ? Signature() : null));

    public static Hj1239Frame Activation() => Hj1239Frame.Create(Hj1239Command.Activation, TestVin, 0x06, Hj1239Layout.Hj1239,
        new Hj1239ActivationBody(T0, "CHIP000000000042"u8.ToArray(), Enumerable.Range(0, 64).Select(i => (byte)(255 - i)).ToArray(),
            TestVin, Signature()));

    public static Hj1239Frame ActivationResponse() => Hj1239Frame.Create(Hj1239Command.ActivationResponse, TestVin, 0x06,
        Hj1239Layout.Hj1239, new Hj1239ActivationResponseBody(Hj1239ActivationResponseBody.StatusFailure, Hj1239ActivationResponseBody.ReasonVinError));

    public static Hj1239Frame Login() => Hj1239Frame.Create(Hj1239Command.Login, TestVin, 0x06, Hj1239Layout.Hj1239,
        new Hj1239LoginBody(T0, 3, "89860000000000000042"u8.ToArray()));

    public static Hj1239Frame Logout() => Hj1239Frame.Create(Hj1239Command.Logout, TestVin, 0x06, Hj1239Layout.Hj1239,
        new Hj1239LogoutBody(T0, 3));

    public static Hj1239Frame TimeSyncReply() => Hj1239Frame.Create(Hj1239Command.TimeSync, TestVin, 0x06, Hj1239Layout.Hj1239,
        new Hj1239TimeSyncBody(T0));

    /// <summary>Every hand-built frame, named for theory output.</summary>
    public static IEnumerable<(string Name, Hj1239Frame Frame)> Constructed()
    {
        yield return ("hj every type signed", HjEveryType());
        yield return ("hj every type unsigned reissue", HjEveryType(signed: false, reissue: true));
        yield return ("hj ten samples", HjTenSamples());
        yield return ("annex q ten samples", AnnexQTenSamples());
        yield return ("removal alarm", RemovalAlarm(signed: false));
        yield return ("removal alarm signed", RemovalAlarm(signed: true));
        yield return ("activation", Activation());
        yield return ("activation response", ActivationResponse());
        yield return ("login", Login());
        yield return ("logout", Logout());
        yield return ("time sync reply", TimeSyncReply());
    }

    public static TheoryData<string> ConstructedNames()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in Constructed())
        {
            data.Add(name);
        }
        return data;
    }

    public static Hj1239Frame ConstructedByName(string name) => Constructed().Single(c => c.Name == name).Frame;
}
