using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Ingest.Protocol.Errors;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Hj1239.InfoUnits;

/// <summary>
/// Info type 0x01, OBD information: 96 fixed bytes (protocol, MIL, monitor support/readiness, ECU VIN, calibration
/// id, CVN, IUPR, DTC count) then 4 bytes per DTC. GB 17691-2018 Annex Q table Q.6 / HJ 1239.2. [C: three real
/// frames; 0xFE = invalid for the protocol, MIL and DTC-count bytes]
/// </summary>
public sealed class ObdInfo : Hj1239InfoUnit
{
    public const byte TypeCode = 0x01;

    /// <summary>Bytes before the DTC list.</summary>
    public const int FixedLength = 96;

    public const int CalibrationIdLength = 18;

    public const int CvnLength = 18;

    /// <summary>The IUPR block: 18 WORDs (SAE J1979 style in-use performance ratio counters).</summary>
    public const int IuprLength = 36;

    /// <summary>Largest DTC count; 0xFE (and 0xFF) mean "invalid" and carry no list.</summary>
    public const byte MaxDtcCount = 253;

    private static readonly byte[] s_zeroText = new byte[CalibrationIdLength];
    private static readonly byte[] s_zeroIupr = new byte[IuprLength];

    public override byte InfoType => TypeCode;

    public override int EncodedLength => FixedLength + 4 * Dtcs.Length;

    /// <summary>OBD diagnostic protocol: 0 ISO 15765, 1 ISO 27145, 2 SAE J1939, 0xFE invalid.</summary>
    public byte ProtocolRaw { get; init; }

    /// <summary>MIL status: 0 off, 1 on, 0xFE invalid.</summary>
    public byte MilRaw { get; init; }

    /// <summary>Diagnostic support status bit map: 1 = monitor supported.</summary>
    public ObdMonitors DiagnosticSupport { get; init; }

    /// <summary>Diagnostic readiness bit map: 0 = test complete, 1 = not complete [R].</summary>
    public ObdMonitors DiagnosticReadiness { get; init; }

    /// <summary>VIN as read from the ECU; may differ from the header VIN.</summary>
    public Vin Vin { get; init; }

    /// <summary>Software calibration id, 18 ASCII bytes as sent (padding with 0x00 or spaces seen).</summary>
    public ReadOnlyMemory<byte> CalibrationIdBytes
    {
        get;
        init => field = RequireLength(value, CalibrationIdLength);
    } = s_zeroText;

    /// <summary>Calibration verification number(s), 18 bytes as sent (binary and ASCII hex both seen).</summary>
    public ReadOnlyMemory<byte> CvnBytes
    {
        get;
        init => field = RequireLength(value, CvnLength);
    } = s_zeroText;

    /// <summary>The IUPR block as sent: 18 big-endian WORDs, see <see cref="IuprCounter"/>.</summary>
    public ReadOnlyMemory<byte> IuprBytes
    {
        get;
        init => field = RequireLength(value, IuprLength);
    } = s_zeroIupr;

    /// <summary>DTC count as sent: 0-253, or 0xFE/0xFF invalid (then <see cref="Dtcs"/> is empty). Defaults to the list length.</summary>
    public byte DtcCountRaw
    {
        get => field == 0 && !Dtcs.IsEmpty ? (byte)Dtcs.Length : field;
        init;
    }

    /// <summary>Diagnostic trouble codes, one DWORD each, in wire order.</summary>
    public ReadOnlyMemory<uint> Dtcs { get; init; }

    public ObdProtocol? Protocol => ProtocolRaw <= (byte)ObdProtocol.SaeJ1939 ? (ObdProtocol)ProtocolRaw : null;

    /// <summary>True/false for MIL on/off; null when invalid (0xFE) or undefined.</summary>
    public bool? MilOn => MilRaw switch { 0 => false, 1 => true, _ => null };

    /// <summary>The DTC count, or null when the terminal marks it invalid.</summary>
    public int? DtcCount => DtcCountRaw <= MaxDtcCount ? DtcCountRaw : null;

    public string CalibrationId => AsciiText.Trimmed(CalibrationIdBytes.Span);

    /// <summary>One of the 18 IUPR WORDs (index 0-17).</summary>
    public ushort IuprCounter(int index) => BinaryPrimitives.ReadUInt16BigEndian(IuprBytes.Span.Slice(index * 2, 2));

    /// <summary>Body length for a DTC count byte: sentinel counts carry no list.</summary>
    public static int LengthForDtcCount(byte count) => FixedLength + 4 * (count <= MaxDtcCount ? count : 0);

    public static bool TryRead(ReadOnlySpan<byte> body, [NotNullWhen(true)] out ObdInfo? value)
    {
        if (body.Length < FixedLength || body.Length != LengthForDtcCount(body[FixedLength - 1]))
        {
            value = null;
            return false;
        }
        var r = new BodyReader(body);
        byte protocol = r.Byte();
        byte mil = r.Byte();
        var support = (ObdMonitors)r.Word();
        var readiness = (ObdMonitors)r.Word();
        var vin = Vin.Read(r.Bytes(Vin.Length));
        var calibration = r.Bytes(CalibrationIdLength).ToArray();
        var cvn = r.Bytes(CvnLength).ToArray();
        var iupr = r.Bytes(IuprLength).ToArray();
        byte count = r.Byte();
        var dtcs = new uint[(body.Length - FixedLength) / 4];
        for (int i = 0; i < dtcs.Length; i++)
        {
            dtcs[i] = r.DWord();
        }
        value = new ObdInfo
        {
            ProtocolRaw = protocol,
            MilRaw = mil,
            DiagnosticSupport = support,
            DiagnosticReadiness = readiness,
            Vin = vin,
            CalibrationIdBytes = calibration,
            CvnBytes = cvn,
            IuprBytes = iupr,
            DtcCountRaw = count,
            Dtcs = dtcs,
        };
        return true;
    }

    public override void Write(Span<byte> destination)
    {
        if (LengthForDtcCount(DtcCountRaw) != EncodedLength)
        {
            ThrowHelper.InvalidOperation($"DTC count byte {DtcCountRaw} does not match {Dtcs.Length} DTCs.");
        }
        var vin = Vin;
        var w = new BodyWriter(destination[..EncodedLength]);
        w.Byte(ProtocolRaw);
        w.Byte(MilRaw);
        w.Word((ushort)DiagnosticSupport);
        w.Word((ushort)DiagnosticReadiness);
        w.Bytes(vin.AsSpan());
        w.Bytes(CalibrationIdBytes.Span);
        w.Bytes(CvnBytes.Span);
        w.Bytes(IuprBytes.Span);
        w.Byte(DtcCountRaw);
        foreach (uint dtc in Dtcs.Span)
        {
            w.DWord(dtc);
        }
    }

    private static ReadOnlyMemory<byte> RequireLength(ReadOnlyMemory<byte> value, int length)
    {
        if (value.Length != length)
        {
            ThrowHelper.Argument(nameof(value), $"Expected {length} bytes, got {value.Length}.");
        }
        return value;
    }
}

/// <summary>OBD diagnostic protocol codes of the 0x01 body.</summary>
public enum ObdProtocol : byte
{
    Iso15765 = 0,
    Iso27145 = 1,
    SaeJ1939 = 2,
}

/// <summary>Monitor bit map of the diagnostic support and readiness WORDs (bit 0 = catalyst ... bit 15 = comprehensive components).</summary>
[Flags]
public enum ObdMonitors : ushort
{
    None = 0,
    Catalyst = 1 << 0,
    HeatedCatalyst = 1 << 1,
    EvaporativeSystem = 1 << 2,
    SecondaryAir = 1 << 3,
    AcRefrigerant = 1 << 4,
    ExhaustGasSensor = 1 << 5,
    ExhaustGasSensorHeater = 1 << 6,
    EgrVvt = 1 << 7,
    ColdStartAid = 1 << 8,
    BoostPressureControl = 1 << 9,
    Dpf = 1 << 10,
    ScrNoxAdsorber = 1 << 11,
    NmhcCatalyst = 1 << 12,
    Misfire = 1 << 13,
    FuelSystem = 1 << 14,
    ComprehensiveComponents = 1 << 15,
}
