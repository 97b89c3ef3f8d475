using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.InfoUnits;

/// <summary>
/// Rechargeable energy storage probe temperatures: 0x09 in 2016 (§7.2.3.9 tables 21-22), 0x08 in 2025 (same layout).
/// Per pack: number, probe count WORD, one byte per probe (1 °C, offset -40).
/// </summary>
public sealed class ProbeTemperatures : Gb32960InfoUnit
{
    public const byte TypeCode2016 = 0x09;
    public const byte TypeCode2025 = 0x08;

    public required Gb32960Edition Edition { get; init; }

    public IReadOnlyList<ProbeTemperaturePack> Packs { get; init; } = [];

    public override byte Type => Edition == Gb32960Edition.V2025 ? TypeCode2025 : TypeCode2016;

    public override Gb32960InfoKind Kind => Gb32960InfoKind.ProbeTemperatures;

    public override int BodyLength
    {
        get
        {
            int length = 1;
            foreach (var p in Packs)
            {
                length += 3 + p.TemperaturesRaw.Length;
            }
            return length;
        }
    }

    internal static int Measure(ReadOnlySpan<byte> rest)
    {
        if (rest.IsEmpty)
        {
            return -1;
        }
        int at = 1;
        for (int i = rest[0]; i > 0; i--)
        {
            if (rest.Length < at + 3)
            {
                return -1;
            }
            at += 3 + (rest[at + 1] << 8 | rest[at + 2]);
        }
        return rest.Length >= at ? at : -1;
    }

    internal static ProbeTemperatures Read(ReadOnlyMemory<byte> body, Gb32960Edition edition)
    {
        var span = body.Span;
        int count = span[0];
        var packs = new ProbeTemperaturePack[count];
        int at = 1;
        for (int i = 0; i < count; i++)
        {
            int probes = span[at + 1] << 8 | span[at + 2];
            packs[i] = new ProbeTemperaturePack { Number = span[at], TemperaturesRaw = body.Slice(at + 3, probes) };
            at += 3 + probes;
        }
        return new ProbeTemperatures { Edition = edition, Packs = packs };
    }

    internal override void WriteBody(ref BigEndianWriter w)
    {
        Check.Count(Packs.Count, byte.MaxValue, nameof(Packs));
        w.Byte((byte)Packs.Count);
        foreach (var p in Packs)
        {
            Check.Count(p.TemperaturesRaw.Length, ushort.MaxValue, nameof(p.TemperaturesRaw));
            w.Byte(p.Number);
            w.UInt16((ushort)p.TemperaturesRaw.Length);
            w.Bytes(p.TemperaturesRaw.Span);
        }
    }
}

/// <summary>One pack of a probe-temperature item.</summary>
public sealed class ProbeTemperaturePack
{
    public byte Number { get; init; }

    /// <summary>Raw temperatures, 1 °C each, offset -40; the probe count is their number.</summary>
    public ReadOnlyMemory<byte> TemperaturesRaw { get; init; }

    public int ProbeCount => TemperaturesRaw.Length;

    public Scaled TemperatureC(int index) => Scaled.FromByte(TemperaturesRaw.Span[index], 1, -40);
}
