using System.Buffers;
using System.Buffers.Binary;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Primitives;
using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Rows;

namespace Ingest.Projection;

/// <summary>
/// One <c>vehicle_samples</c> row from a GB/T 32960 realtime/reissue data unit, written column by column from the
/// item bytes (layouts as in <c>Protocol/Gb32960/InfoUnits</c>, one file per item; scaling through
/// <see cref="Scaled"/>, so the numbers are the decoder's). The first block of each kind wins; repeated and split
/// blocks of cells, probes and motors are concatenated in frame order (the row holds what this frame carried).
/// </summary>
internal static class VehicleSampleRows
{
    /// <summary>Items noted on the stack before the walk needs a pooled array (real frames carry about ten).</summary>
    private const int StackItems = 32;

    /// <summary>The array columns' rules (0.001 V per cell, 1 °C per probe with offset -40), decimals worked out once.</summary>
    private static readonly ScaleRule CellVolts = new(0.001);
    private static readonly ScaleRule ProbeCelsius = new(1, -40);

    /// <summary>Appends the row of a data unit that <see cref="Protocol.Gb32960.Bodies.RealtimeReport.Check"/> accepted.</summary>
    public static void Write(RowBuffer<VehicleSampleRow> table, in RowKey key, ReadOnlySpan<byte> data, Gb32960Edition edition,
        bool isReissue, DateTimeOffset deviceTime)
    {
        // Columns follow the table, items follow the frame: note where each item is in one walk, then write in column
        // order from the notes.
        Span<Item> stackItems = stackalloc Item[StackItems];
        Item[]? rented = null;
        int count = Note(data, edition, stackItems);
        if (count < 0)
        {
            rented = ArrayPool<Item>.Shared.Rent(data.Length / 2);
            count = Note(data, edition, rented);
        }
        try
        {
            var items = rented is null ? stackItems[..count] : rented.AsSpan(0, count);
            WriteRow(table.BeginRow(), key, data, edition, isReissue, deviceTime, items);
            table.EndRow();
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<Item>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The items in frame order, or -1 when there are more than <paramref name="items"/> holds.</summary>
    private static int Note(ReadOnlySpan<byte> data, Gb32960Edition edition, Span<Item> items)
    {
        var walker = new Gb32960InfoWalker(data, edition);
        int count = 0;
        while (walker.TryReadNext(out var item))
        {
            if (count == items.Length)
            {
                return -1;
            }
            items[count++] = new Item(item.Kind, item.Offset + 1, item.Body.Length);
        }
        return count;
    }

    private static void WriteRow(RowBinaryWriter w, in RowKey key, ReadOnlySpan<byte> data, Gb32960Edition edition, bool isReissue,
        DateTimeOffset deviceTime, ReadOnlySpan<Item> items)
    {
        bool v2016 = edition == Gb32960Edition.V2016;
        w.WriteBytes(key.Node);
        w.WriteUInt64((ulong)key.Offset);
        w.WriteBytes(key.Vin);
        w.WriteDateTime(deviceTime);
        w.WriteDateTime(key.ReceivedAt);
        w.WriteBool(isReissue);

        // Whole vehicle (VehicleData: state, charging, mode, speed W, odometer DW, voltage W, current W, SOC, DC/DC, gear, insulation W, 2016 pedals)
        var v = First(items, data, Gb32960InfoKind.VehicleData, out bool hasVehicle);
        NullableByte(w, hasVehicle, v, 0);
        NullableByte(w, hasVehicle, v, 1);
        NullableByte(w, hasVehicle, v, 2);
        Float(w, hasVehicle, hasVehicle ? Scaled.FromWord(Word(v, 3), 0.1) : default);
        Double(w, hasVehicle, hasVehicle ? Scaled.FromDWord(DWord(v, 5), 0.1) : default);
        Float(w, hasVehicle, hasVehicle ? Scaled.FromWord(Word(v, 9), 0.1) : default);
        Float(w, hasVehicle, hasVehicle ? Scaled.FromWord(Word(v, 11), 0.1, v2016 ? -1000 : -3000) : default);
        Float(w, hasVehicle, hasVehicle ? Scaled.FromByte(v[13]) : default);
        NullableByte(w, hasVehicle, v, 14);
        NullableByte(w, hasVehicle, v, 15);
        Float(w, hasVehicle, hasVehicle ? Scaled.FromWord(Word(v, 16)) : default);
        Float(w, hasVehicle && v2016, hasVehicle && v2016 ? Scaled.FromByte(v[18]) : default);
        Float(w, hasVehicle && v2016, hasVehicle && v2016 ? Scaled.FromByte(v[19]) : default);

        // Position (Location: status, 2025 coordinate system, longitude DW, latitude DW)
        var l = First(items, data, Gb32960InfoKind.Location, out bool hasLocation);
        w.WriteBool(hasLocation && (l[0] & 0x01) == 0);
        int lonAt = v2016 ? 1 : 2;
        Double(w, hasLocation, hasLocation ? Coordinate(DWord(l, lonAt), (l[0] & 0x04) != 0) : default);
        Double(w, hasLocation, hasLocation ? Coordinate(DWord(l, lonAt + 4), (l[0] & 0x02) != 0) : default);

        // Extremes (2016 only: max/min cell voltage W at 2 and 6, max/min temperature at 10 and 13)
        var e = First(items, data, Gb32960InfoKind.Extremes, out bool hasExtremes);
        Float(w, hasExtremes, hasExtremes ? Scaled.FromWord(Word(e, 2), 0.001) : default);
        Float(w, hasExtremes, hasExtremes ? Scaled.FromWord(Word(e, 6), 0.001) : default);
        Float(w, hasExtremes, hasExtremes ? Scaled.FromByte(e[10], 1, -40) : default);
        Float(w, hasExtremes, hasExtremes ? Scaled.FromByte(e[13], 1, -40) : default);

        // Alarms (level, flags DW, then four counted lists of fault-code DWORDs)
        var a = First(items, data, Gb32960InfoKind.Alarms, out bool hasAlarms);
        NullableByte(w, hasAlarms, a, 0);
        w.WriteUInt32(hasAlarms ? DWord(a, 1) : 0);
        int listAt = 5;
        for (int list = 0; list < 4; list++)
        {
            int codes = hasAlarms ? a[listAt] : 0;
            w.WriteLength(codes);
            for (int i = 0; i < codes; i++)
            {
                w.WriteUInt32(DWord(a, listAt + 1 + 4 * i));
            }
            listAt += 1 + 4 * codes;
        }

        WriteMotors(w, data, items, edition);

        // Engine (2016: state, crankshaft speed W, fuel consumption W; 2025: crankshaft speed W)
        var g = First(items, data, Gb32960InfoKind.Engine, out bool hasEngine);
        if (w.WriteNullFlag(hasEngine))
        {
            w.WriteUInt8(v2016 ? g[0] : (byte)0);
        }
        Float(w, hasEngine, hasEngine ? Scaled.FromWord(Word(g, v2016 ? 1 : 0)) : default);
        Float(w, hasEngine && v2016, hasEngine && v2016 ? Scaled.FromWord(Word(g, 3), 0.01) : default);

        // Fuel cell (2016: voltage W, current W, consumption W, probe count W, probes, then the hydrogen maxima)
        var f = First(items, data, Gb32960InfoKind.FuelCell, out bool hasFuelCell);
        Float(w, hasFuelCell, hasFuelCell ? Scaled.FromWord(Word(f, 0), 0.1) : default);
        Float(w, hasFuelCell, hasFuelCell ? Scaled.FromWord(Word(f, 2), 0.1) : default);
        Float(w, hasFuelCell, hasFuelCell ? Scaled.FromWord(Word(f, 8 + Word(f, 6) + 6), 0.1) : default);

        WriteCells(w, data, items, edition);
        WriteProbes(w, data, items);
    }

    /// <summary>Motors as parallel arrays, one column at a time over every motor of every 0x02 item.</summary>
    private static void WriteMotors(RowBinaryWriter w, ReadOnlySpan<byte> data, ReadOnlySpan<Item> items, Gb32960Edition edition)
    {
        bool v2016 = edition == Gb32960Edition.V2016;
        int size = DriveMotors.MotorSize(edition);
        int motors = 0;
        foreach (var item in items)
        {
            if (item.Kind == Gb32960InfoKind.DriveMotors)
            {
                motors += data[item.Start];
            }
        }
        for (var column = MotorColumn.Index; column <= MotorColumn.ControllerCurrent; column++)
        {
            w.WriteLength(motors);
            foreach (var item in items)
            {
                if (item.Kind != Gb32960InfoKind.DriveMotors)
                {
                    continue;
                }
                var body = item.Body(data);
                for (int at = 1; at < body.Length; at += size)
                {
                    var m = body.Slice(at, size);
                    switch (column)
                    {
                        case MotorColumn.Index: w.WriteUInt8(m[0]); break;
                        case MotorColumn.State: w.WriteUInt8(m[1]); break;
                        case MotorColumn.ControllerTemperature: Float(w, true, Scaled.FromByte(m[2], 1, -40)); break;
                        case MotorColumn.Speed: Float(w, true, Scaled.FromWord(Word(m, 3), 1, v2016 ? -20000 : -32000)); break;
                        case MotorColumn.Torque:
                            Float(w, true, v2016 ? Scaled.FromWord(Word(m, 5), 0.1, -2000) : Scaled.FromDWord(DWord(m, 5), 0.1, -20000));
                            break;
                        case MotorColumn.Temperature: Float(w, true, Scaled.FromByte(m[v2016 ? 7 : 9], 1, -40)); break;
                        case MotorColumn.ControllerVoltage: Float(w, v2016, v2016 ? Scaled.FromWord(Word(m, 8), 0.1) : default); break;
                        case MotorColumn.ControllerCurrent: Float(w, v2016, v2016 ? Scaled.FromWord(Word(m, 10), 0.1, -1000) : default); break;
                    }
                }
            }
        }
    }

    /// <summary>Every cell voltage of every pack of every cell-voltage item, in frame order.</summary>
    private static void WriteCells(RowBinaryWriter w, ReadOnlySpan<byte> data, ReadOnlySpan<Item> items, Gb32960Edition edition)
    {
        int header = CellVoltages.PackHeaderSize(edition);
        int total = 0;
        foreach (var item in items)
        {
            if (item.Kind == Gb32960InfoKind.CellVoltages)
            {
                var body = item.Body(data);
                for (int pack = body[0], at = 1; pack > 0; pack--)
                {
                    int cells = CellCount(body, at, edition);
                    total += cells;
                    at += header + 2 * cells;
                }
            }
        }
        w.WriteLength(total);
        foreach (var item in items)
        {
            if (item.Kind != Gb32960InfoKind.CellVoltages)
            {
                continue;
            }
            var body = item.Body(data);
            for (int pack = body[0], at = 1; pack > 0; pack--)
            {
                int cells = CellCount(body, at, edition);
                var raw = body.Slice(at + header, 2 * cells);
                // Up to five bytes per cell (null flag + Float32), reserved once for the pack.
                var output = w.GetSpan(5 * cells);
                int written = 0;
                for (int c = 0; c < raw.Length; c += 2)
                {
                    var value = CellVolts.FromWord(Word(raw, c));
                    if (value.IsValid)
                    {
                        output[written] = 0;
                        BinaryPrimitives.WriteSingleLittleEndian(output[(written + 1)..], (float)value.Value);
                        written += 5;
                    }
                    else
                    {
                        output[written++] = 1;
                    }
                }
                w.Advance(written);
                at += header + 2 * cells;
            }
        }
    }

    /// <summary>Every probe temperature of every pack of every probe-temperature item, in frame order.</summary>
    private static void WriteProbes(RowBinaryWriter w, ReadOnlySpan<byte> data, ReadOnlySpan<Item> items)
    {
        int total = 0;
        foreach (var item in items)
        {
            if (item.Kind == Gb32960InfoKind.ProbeTemperatures)
            {
                var body = item.Body(data);
                for (int pack = body[0], at = 1; pack > 0; pack--)
                {
                    int probes = Word(body, at + 1);
                    total += probes;
                    at += 3 + probes;
                }
            }
        }
        w.WriteLength(total);
        foreach (var item in items)
        {
            if (item.Kind != Gb32960InfoKind.ProbeTemperatures)
            {
                continue;
            }
            var body = item.Body(data);
            for (int pack = body[0], at = 1; pack > 0; pack--)
            {
                int probes = Word(body, at + 1);
                var raw = body.Slice(at + 3, probes);
                var output = w.GetSpan(5 * probes);
                int written = 0;
                foreach (byte b in raw)
                {
                    var value = ProbeCelsius.FromByte(b);
                    if (value.IsValid)
                    {
                        output[written] = 0;
                        BinaryPrimitives.WriteSingleLittleEndian(output[(written + 1)..], (float)value.Value);
                        written += 5;
                    }
                    else
                    {
                        output[written++] = 1;
                    }
                }
                w.Advance(written);
                at += 3 + probes;
            }
        }
    }

    /// <summary>Cells sent in a pack: 2016 the in-frame count byte, 2025 the WORD count.</summary>
    private static int CellCount(ReadOnlySpan<byte> body, int packAt, Gb32960Edition edition) =>
        edition == Gb32960Edition.V2025 ? Word(body, packAt + 5) : body[packAt + 9];

    /// <summary>As <see cref="Location.LongitudeDeg"/>: a set hemisphere bit negates a non-zero magnitude.</summary>
    private static Scaled Coordinate(uint raw, bool negative) => Scaled.FromDWord(raw, negative && raw != 0 ? -1e-6 : 1e-6);

    private static ReadOnlySpan<byte> First(ReadOnlySpan<Item> items, ReadOnlySpan<byte> data, Gb32960InfoKind kind, out bool found)
    {
        foreach (var item in items)
        {
            if (item.Kind == kind)
            {
                found = true;
                return item.Body(data);
            }
        }
        found = false;
        return default;
    }

    private static void NullableByte(RowBinaryWriter w, bool has, ReadOnlySpan<byte> body, int at)
    {
        if (w.WriteNullFlag(has))
        {
            w.WriteUInt8(body[at]);
        }
    }

    /// <summary>Nullable(Float32): null when the block is absent or the value is a sentinel.</summary>
    private static void Float(RowBinaryWriter w, bool has, Scaled value)
    {
        if (w.WriteNullFlag(has && value.IsValid))
        {
            w.WriteFloat32((float)value.Value);
        }
    }

    private static void Double(RowBinaryWriter w, bool has, Scaled value)
    {
        if (w.WriteNullFlag(has && value.IsValid))
        {
            w.WriteFloat64(value.Value);
        }
    }

    private static ushort Word(ReadOnlySpan<byte> body, int at) => BinaryPrimitives.ReadUInt16BigEndian(body[at..]);

    private static uint DWord(ReadOnlySpan<byte> body, int at) => BinaryPrimitives.ReadUInt32BigEndian(body[at..]);

    /// <summary>Where one item's body lies in the data unit.</summary>
    private readonly record struct Item(Gb32960InfoKind Kind, int Start, int Length)
    {
        public ReadOnlySpan<byte> Body(ReadOnlySpan<byte> data) => data.Slice(Start, Length);
    }

    private enum MotorColumn
    {
        Index,
        State,
        ControllerTemperature,
        Speed,
        Torque,
        Temperature,
        ControllerVoltage,
        ControllerCurrent,
    }
}
