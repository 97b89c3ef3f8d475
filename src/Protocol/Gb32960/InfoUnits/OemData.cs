using Ingest.Protocol.Gb32960.Internal;

namespace Ingest.Protocol.Gb32960.InfoUnits;

/// <summary>
/// 0x80-0xFE user (OEM) defined data (2016 §7.2.3 table 8 note; 2025 likewise): type, WORD length, bytes. Opaque:
/// kept raw and passed through when forwarding.
/// </summary>
public sealed class OemData : Gb32960InfoUnit
{
    public const byte FirstTypeCode = 0x80;
    public const byte LastTypeCode = 0xFE;

    private readonly byte _type = FirstTypeCode;

    /// <summary>0x80-0xFE.</summary>
    public byte OemType
    {
        get => _type;
        init
        {
            if (value is < FirstTypeCode or > LastTypeCode)
            {
                Errors.ThrowHelper.ArgumentOutOfRange(nameof(OemType), "OEM info types are 0x80-0xFE.");
            }
            _type = value;
        }
    }

    public ReadOnlyMemory<byte> Data { get; init; }

    public override byte Type => _type;

    public override Gb32960InfoKind Kind => Gb32960InfoKind.Oem;

    public override int BodyLength => 2 + Data.Length;

    internal static int Measure(ReadOnlySpan<byte> rest)
    {
        if (rest.Length < 2)
        {
            return -1;
        }
        int size = 2 + (rest[0] << 8 | rest[1]);
        return rest.Length >= size ? size : -1;
    }

    internal static OemData Read(byte type, ReadOnlyMemory<byte> body) => new() { OemType = type, Data = body[2..] };

    internal override void WriteBody(ref BigEndianWriter w)
    {
        Check.Count(Data.Length, ushort.MaxValue, nameof(Data));
        w.UInt16((ushort)Data.Length);
        w.Bytes(Data.Span);
    }
}
