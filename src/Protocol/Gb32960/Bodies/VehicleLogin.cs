using Ingest.Protocol.Errors;
using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.Bodies;

/// <summary>
/// 0x01 vehicle login (2016 §7.1 table 6; 2025 §7.1). Time, login serial, ICCID and the rechargeable energy
/// storage subsystem codes: 2016 sends n subsystems and one code length m (n codes of m bytes); 2025 sends n, then
/// n per-subsystem code counts, then every code as 24 ASCII bytes.
/// </summary>
public sealed class VehicleLogin : Gb32960Body
{
    public const int IccidLength = 20;

    /// <summary>Size of one subsystem code in 2025 frames.</summary>
    public const int CodeLength2025 = 24;

    public required Gb32960Edition Edition { get; init; }

    public GbTime Time { get; init; }

    /// <summary>1 at the start of each day, +1 per login; the matching logout repeats it.</summary>
    public ushort LoginSerial { get; init; }

    /// <summary>20 ASCII bytes.</summary>
    public ReadOnlyMemory<byte> Iccid { get; init; } = new byte[IccidLength];

    /// <summary>2016: the code length m (each code is m bytes). 2025: always 24.</summary>
    public byte CodeLength { get; init; }

    /// <summary>2025 only: how many codes each subsystem has (n entries). Null for 2016.</summary>
    public IReadOnlyList<byte>? CodesPerSubsystem { get; init; }

    /// <summary>All subsystem codes in wire order, each <see cref="CodeLength"/> bytes.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Codes { get; init; } = [];

    /// <summary>The subsystem count n as sent.</summary>
    public int SubsystemCount => Edition == Gb32960Edition.V2025 ? CodesPerSubsystem?.Count ?? 0 : Codes.Count;

    public string IccidText => Ascii.Text(Iccid.Span);

    public string CodeText(int index) => Ascii.Text(Codes[index].Span);

    public override int EncodedLength => Edition == Gb32960Edition.V2025
        ? GbTime.Size + 2 + IccidLength + 1 + (CodesPerSubsystem?.Count ?? 0) + CodeLength2025 * Codes.Count
        : GbTime.Size + 2 + IccidLength + 2 + CodeLength * Codes.Count;

    internal override void Write(ref BigEndianWriter w)
    {
        Check.Length(Iccid, IccidLength, nameof(Iccid));
        w.Time(Time);
        w.UInt16(LoginSerial);
        w.Bytes(Iccid.Span);
        if (Edition == Gb32960Edition.V2025)
        {
            var counts = CodesPerSubsystem ?? [];
            Check.Count(counts.Count, byte.MaxValue, nameof(CodesPerSubsystem));
            int total = 0;
            w.Byte((byte)counts.Count);
            foreach (byte c in counts)
            {
                w.Byte(c);
                total += c;
            }
            if (total != Codes.Count)
            {
                ThrowHelper.Argument(nameof(Codes), "The per-subsystem code counts must add up to the number of codes.");
            }
            foreach (var code in Codes)
            {
                Check.Length(code, CodeLength2025, nameof(Codes));
                w.Bytes(code.Span);
            }
        }
        else
        {
            Check.Count(Codes.Count, byte.MaxValue, nameof(Codes));
            w.Byte((byte)Codes.Count);
            w.Byte(CodeLength);
            foreach (var code in Codes)
            {
                Check.Length(code, CodeLength, nameof(Codes));
                w.Bytes(code.Span);
            }
        }
    }

    internal static DecodeError TryRead(ReadOnlyMemory<byte> data, Gb32960Edition edition, out VehicleLogin? body)
    {
        body = null;
        var r = new SpanReader(data.Span);
        int length = data.Length;
        if (!r.TryReadTime(out var time))
        {
            return BodyErrors.Truncated(r.Position, GbTime.Size, length);
        }
        if (!r.TryReadUInt16(out ushort serial))
        {
            return BodyErrors.Truncated(r.Position, 2, length);
        }
        int iccidAt = r.Position;
        if (!r.TrySkip(IccidLength))
        {
            return BodyErrors.Truncated(r.Position, IccidLength, length);
        }
        if (!r.TryReadByte(out byte n))
        {
            return BodyErrors.Truncated(r.Position, 1, length);
        }

        byte codeLength;
        byte[]? perSubsystem = null;
        int codeCount;
        if (edition == Gb32960Edition.V2025)
        {
            if (!r.TryReadBytes(n, out var counts))
            {
                return BodyErrors.Truncated(r.Position, n, length);
            }
            perSubsystem = counts.ToArray();
            codeCount = 0;
            foreach (byte c in counts)
            {
                codeCount += c;
            }
            codeLength = CodeLength2025;
        }
        else
        {
            if (!r.TryReadByte(out codeLength))
            {
                return BodyErrors.Truncated(r.Position, 1, length);
            }
            codeCount = n;
        }

        // Bound the forged counts by the bytes actually present before allocating anything proportional to them.
        int codeBytes = codeCount * codeLength;
        if (r.Remaining < codeBytes)
        {
            return BodyErrors.Truncated(r.Position, codeBytes, length);
        }
        var codes = new ReadOnlyMemory<byte>[codeCount];
        for (int i = 0; i < codeCount; i++)
        {
            codes[i] = data.Slice(r.Position, codeLength);
            r.TrySkip(codeLength);
        }
        if (!r.End)
        {
            return BodyErrors.Trailing(r.Position, length);
        }
        body = new VehicleLogin
        {
            Edition = edition,
            Time = time,
            LoginSerial = serial,
            Iccid = data.Slice(iccidAt, IccidLength),
            CodeLength = codeLength,
            CodesPerSubsystem = perSubsystem,
            Codes = codes,
        };
        return default;
    }
}
