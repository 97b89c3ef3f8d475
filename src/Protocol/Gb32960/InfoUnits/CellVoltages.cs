using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960.InfoUnits;

/// <summary>
/// Rechargeable energy storage cell voltages: 0x08 in 2016 (§7.2.3.8 tables 19-20), 0x07 in 2025. Per pack: number,
/// voltage, current, then the cell voltages. 2016 also sends the pack's total cell count and the 1-based index of the
/// first cell in this frame, because packs over 200 cells are split across frames with the same time; both are kept
/// so the fragments can be merged by (VIN, time, pack, start index). 2025 sends one WORD cell count and no split.
/// </summary>
public sealed class CellVoltages : Gb32960InfoUnit
{
    public const byte TypeCode2016 = 0x08;
    public const byte TypeCode2025 = 0x07;

    /// <summary>Bytes per pack before the cell list: 10 in 2016, 7 in 2025.</summary>
    public static int PackHeaderSize(Gb32960Edition edition) => edition == Gb32960Edition.V2025 ? 7 : 10;

    public required Gb32960Edition Edition { get; init; }

    public IReadOnlyList<CellVoltagePack> Packs { get; init; } = [];

    public override byte Type => Edition == Gb32960Edition.V2025 ? TypeCode2025 : TypeCode2016;

    public override Gb32960InfoKind Kind => Gb32960InfoKind.CellVoltages;

    public override int BodyLength
    {
        get
        {
            int length = 1;
            foreach (var p in Packs)
            {
                length += PackHeaderSize(Edition) + 2 * p.CellVoltagesRaw.Count;
            }
            return length;
        }
    }

    internal static int Measure(ReadOnlySpan<byte> rest, Gb32960Edition edition)
    {
        if (rest.IsEmpty)
        {
            return -1;
        }
        int header = PackHeaderSize(edition);
        int at = 1;
        for (int i = rest[0]; i > 0; i--)
        {
            if (rest.Length < at + header)
            {
                return -1;
            }
            int cells = edition == Gb32960Edition.V2025 ? rest[at + 5] << 8 | rest[at + 6] : rest[at + 9];
            at += header + 2 * cells;
        }
        return rest.Length >= at ? at : -1;
    }

    internal static CellVoltages Read(ReadOnlySpan<byte> body, Gb32960Edition edition)
    {
        var r = new SpanReader(body);
        r.TryReadByte(out byte count);
        var packs = new CellVoltagePack[count];
        for (int i = 0; i < packs.Length; i++)
        {
            r.TryReadByte(out byte number);
            r.TryReadUInt16(out ushort voltage);
            r.TryReadUInt16(out ushort current);
            ushort total, start = 0;
            int cells;
            if (edition == Gb32960Edition.V2025)
            {
                r.TryReadUInt16(out total);
                cells = total;
            }
            else
            {
                r.TryReadUInt16(out total);
                r.TryReadUInt16(out start);
                r.TryReadByte(out byte inFrame);
                cells = inFrame;
            }
            var values = new ushort[cells];
            for (int c = 0; c < values.Length; c++)
            {
                r.TryReadUInt16(out values[c]);
            }
            packs[i] = new CellVoltagePack
            {
                Edition = edition,
                Number = number,
                VoltageRaw = voltage,
                CurrentRaw = current,
                TotalCellCount = total,
                StartIndex = start,
                CellVoltagesRaw = values,
            };
        }
        return new CellVoltages { Edition = edition, Packs = packs };
    }

    internal override void WriteBody(ref BigEndianWriter w)
    {
        Check.Count(Packs.Count, byte.MaxValue, nameof(Packs));
        w.Byte((byte)Packs.Count);
        foreach (var p in Packs)
        {
            w.Byte(p.Number);
            w.UInt16(p.VoltageRaw);
            w.UInt16(p.CurrentRaw);
            if (Edition == Gb32960Edition.V2025)
            {
                Check.Count(p.CellVoltagesRaw.Count, ushort.MaxValue, nameof(p.CellVoltagesRaw));
                w.UInt16((ushort)p.CellVoltagesRaw.Count);
            }
            else
            {
                Check.Count(p.CellVoltagesRaw.Count, byte.MaxValue, nameof(p.CellVoltagesRaw));
                w.UInt16(p.TotalCellCount);
                w.UInt16(p.StartIndex);
                w.Byte((byte)p.CellVoltagesRaw.Count);
            }
            foreach (ushort v in p.CellVoltagesRaw)
            {
                w.UInt16(v);
            }
        }
    }
}

/// <summary>One pack (subsystem) of a cell-voltage item.</summary>
public sealed class CellVoltagePack
{
    public required Gb32960Edition Edition { get; init; }

    public byte Number { get; init; }

    /// <summary>Raw pack voltage, 0.1 V.</summary>
    public ushort VoltageRaw { get; init; }

    /// <summary>Raw pack current, 0.1 A, offset -1000 A (2016) or -3000 A (2025).</summary>
    public ushort CurrentRaw { get; init; }

    /// <summary>2016: cells in the whole pack (this frame may carry only some). 2025: the number of cells sent.</summary>
    public ushort TotalCellCount { get; init; }

    /// <summary>2016 only: 1-based index of the first cell in this frame.</summary>
    public ushort StartIndex { get; init; }

    /// <summary>Raw cell voltages, 0.001 V each; 0xFFFE/0xFFFF mark abnormal/invalid cells.</summary>
    public IReadOnlyList<ushort> CellVoltagesRaw { get; init; } = [];

    public Scaled VoltageV => Scaled.FromWord(VoltageRaw, 0.1);

    public Scaled CurrentA => Scaled.FromWord(CurrentRaw, 0.1, Edition == Gb32960Edition.V2025 ? -3000 : -1000);

    public Scaled CellVoltageV(int index) => Scaled.FromWord(CellVoltagesRaw[index], 0.001);
}
