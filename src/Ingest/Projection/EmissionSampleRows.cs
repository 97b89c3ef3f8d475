using System.Buffers.Binary;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;
using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Rows;

namespace Ingest.Projection;

/// <summary>
/// <c>emission_samples</c> rows from an HJ 1239 / GB 17691 realtime/reissue data unit, one per item, written column by
/// column from the item bytes as the walker finds them (layouts as in <c>Protocol/Hj1239/InfoUnits</c>, scaling
/// through <see cref="EngineScaling"/>, so the numbers are the decoder's). An OBD item fills the OBD columns, a data
/// stream the engine columns; other items only the key. An item without a valid time of its own takes the frame's;
/// with neither it is skipped, and its index stays taken.
/// </summary>
internal static class EmissionSampleRows
{
    /// <summary>
    /// Appends the rows of a data unit in one walk; when the walk in <paramref name="layout"/> does not complete (a
    /// malformed unit, or the other layout), the rows written so far are taken back and false is returned.
    /// <paramref name="resolved"/> is the layout walked (<see cref="Hj1239Layout.Auto"/> resolved from the bytes).
    /// </summary>
    public static bool TryWrite(RowBuffer<EmissionSampleRow> table, in RowKey key, ReadOnlySpan<byte> data, Hj1239Layout layout,
        Hj1239UserItemLayout userItems, bool isReissue, out Hj1239Layout resolved)
    {
        var mark = table.Mark();
        var walker = new Hj1239ItemWalker(data, layout, userItems);
        resolved = walker.Layout;
        var frameTime = StoredTime.Of(walker.Time);
        for (int index = 0; walker.TryReadNext(out var item); index++)
        {
            if ((StoredTime.Of(item.CollectionTime) ?? frameTime) is { } time)
            {
                WriteRow(table.BeginRow(), key, item, (ushort)index, time, isReissue);
                table.EndRow();
            }
        }
        if (walker.Completed)
        {
            return true;
        }
        table.RewindTo(mark);
        return false;
    }

    private static void WriteRow(RowBinaryWriter w, in RowKey key, in Hj1239Item item, ushort index, DateTimeOffset time, bool isReissue)
    {
        w.WriteBytes(key.Node);
        w.WriteUInt64((ulong)key.Offset);
        w.WriteUInt16(index);
        w.WriteBytes(key.Vin);
        w.WriteDateTime(time);
        w.WriteDateTime(key.ReceivedAt);
        w.WriteBool(isReissue);
        w.WriteUInt8(item.Type);
        var b = item.Body;
        switch (item.Type)
        {
            case DieselDataStream.TypeCode:
                WriteEngine(w, b, noxUpstreamAt: 9, noxDownstreamAt: 11, ureaAt: 13, intakeAt: 14, scrAt: 16, dpfAt: 20,
                    coolantAt: 22, fuelLevelAt: 23, gnssAt: 24, odometerAt: 33);
                WriteNoObd(w);
                break;
            case TwcNoxDataStream.TypeCode:
                WriteEngine(w, b, noxUpstreamAt: -1, noxDownstreamAt: 12, ureaAt: -1, intakeAt: 14, scrAt: -1, dpfAt: -1,
                    coolantAt: 16, fuelLevelAt: -1, gnssAt: 19, odometerAt: 28);
                WriteNoObd(w);
                break;
            case SparkIgnitionDataStream.TypeCode:
                WriteEngine(w, b, noxUpstreamAt: -1, noxDownstreamAt: -1, ureaAt: -1, intakeAt: 12, scrAt: -1, dpfAt: -1,
                    coolantAt: 14, fuelLevelAt: -1, gnssAt: 17, odometerAt: 26);
                WriteNoObd(w);
                break;
            case ObdInfo.TypeCode:
                WriteNoEngine(w);
                WriteObd(w, b);
                break;
            default:
                WriteNoEngine(w);
                WriteNoObd(w);
                break;
        }
    }

    /// <summary>
    /// The data-stream columns. The three streams share their first nine bytes (speed W, barometric pressure, net and
    /// friction torque, engine speed W, fuel flow W); the rest sits at per-stream offsets, -1 where a stream lacks the field.
    /// </summary>
    private static void WriteEngine(RowBinaryWriter w, ReadOnlySpan<byte> b, int noxUpstreamAt, int noxDownstreamAt, int ureaAt,
        int intakeAt, int scrAt, int dpfAt, int coolantAt, int fuelLevelAt, int gnssAt, int odometerAt)
    {
        Float(w, EngineScaling.SpeedKmh(Word(b, 0)));
        Float(w, EngineScaling.PressureHalfKpa(b[2]));
        Float(w, EngineScaling.TorquePercent(b[3]));
        Float(w, EngineScaling.TorquePercent(b[4]));
        Float(w, EngineScaling.Rpm(Word(b, 5)));
        Float(w, EngineScaling.FlowPer20(Word(b, 7)));
        FloatAt(w, noxUpstreamAt >= 0, noxUpstreamAt >= 0 ? EngineScaling.NoxPpm(Word(b, noxUpstreamAt)) : default);
        FloatAt(w, noxDownstreamAt >= 0, noxDownstreamAt >= 0 ? EngineScaling.NoxPpm(Word(b, noxDownstreamAt)) : default);
        FloatAt(w, ureaAt >= 0, ureaAt >= 0 ? EngineScaling.LevelPercent(b[ureaAt]) : default);
        Float(w, EngineScaling.FlowPer20(Word(b, intakeAt)));
        FloatAt(w, scrAt >= 0, scrAt >= 0 ? EngineScaling.ExhaustTemperatureC(Word(b, scrAt)) : default);
        FloatAt(w, scrAt >= 0, scrAt >= 0 ? EngineScaling.ExhaustTemperatureC(Word(b, scrAt + 2)) : default);
        FloatAt(w, dpfAt >= 0, dpfAt >= 0 ? EngineScaling.TenthKpa(Word(b, dpfAt)) : default);
        Float(w, EngineScaling.TemperatureByteC(b[coolantAt]));
        FloatAt(w, fuelLevelAt >= 0, fuelLevelAt >= 0 ? EngineScaling.LevelPercent(b[fuelLevelAt]) : default);
        var position = GnssPosition.Read(b[gnssAt..]);
        w.WriteBool(position.IsFixValid);
        Double(w, position.LongitudeDeg);
        Double(w, position.LatitudeDeg);
        Double(w, EngineScaling.OdometerKm(BinaryPrimitives.ReadUInt32BigEndian(b[odometerAt..])));
    }

    private static void WriteNoEngine(RowBinaryWriter w)
    {
        // 15 Nullable(Float32) columns, position_valid = 0, then longitude, latitude and odometer null.
        var output = w.GetSpan(19);
        output[..15].Fill(1);
        output[15] = 0;
        output[16..19].Fill(1);
        w.Advance(19);
    }

    /// <summary>
    /// OBD columns (0x01: protocol, MIL, support W, readiness W, ECU VIN 17, calibration id 18, CVN 18, IUPR 36, DTC count,
    /// then the DTC DWORDs), as the OBD unit's own text forms: VIN and calibration id as display text, CVN and IUPR as hex.
    /// </summary>
    private static void WriteObd(RowBinaryWriter w, ReadOnlySpan<byte> b)
    {
        w.WriteNullFlag(true);
        w.WriteUInt8(b[0]);
        w.WriteNullFlag(true);
        w.WriteUInt8(b[1]);
        w.WriteNullFlag(true);
        w.WriteUInt16(Word(b, 2));
        w.WriteNullFlag(true);
        w.WriteUInt16(Word(b, 4));
        const int vinAt = 6, calibrationAt = vinAt + Vin.Length, cvnAt = calibrationAt + ObdInfo.CalibrationIdLength;
        const int iuprAt = cvnAt + ObdInfo.CvnLength, countAt = iuprAt + ObdInfo.IuprLength;
        Span<byte> text = stackalloc byte[2 * ObdInfo.IuprLength];
        w.WriteBytes(RowText.Identifier(b.Slice(vinAt, Vin.Length), text));
        w.WriteBytes(RowText.TrimmedAscii(b.Slice(calibrationAt, ObdInfo.CalibrationIdLength), text));
        w.WriteBytes(RowText.Hex(b.Slice(cvnAt, ObdInfo.CvnLength), text));
        w.WriteBytes(RowText.Hex(b.Slice(iuprAt, ObdInfo.IuprLength), text));
        w.WriteNullFlag(true);
        w.WriteUInt8(b[countAt]);
        int dtcs = (b.Length - ObdInfo.FixedLength) / 4;
        w.WriteLength(dtcs);
        for (int i = 0; i < dtcs; i++)
        {
            w.WriteUInt32(BinaryPrimitives.ReadUInt32BigEndian(b[(ObdInfo.FixedLength + 4 * i)..]));
        }
    }

    private static void WriteNoObd(RowBinaryWriter w)
    {
        // Four Nullable numbers null, four empty strings, DTC count null, no DTCs.
        var output = w.GetSpan(10);
        output[..4].Fill(1);
        output[4..8].Fill(0);
        output[8] = 1;
        output[9] = 0;
        w.Advance(10);
    }

    private static void Float(RowBinaryWriter w, Scaled value)
    {
        if (w.WriteNullFlag(value.IsValid))
        {
            w.WriteFloat32((float)value.Value);
        }
    }

    private static void FloatAt(RowBinaryWriter w, bool present, Scaled value) => Float(w, present ? value : new Scaled(ValueStatus.Invalid, 0));

    private static void Double(RowBinaryWriter w, Scaled value)
    {
        if (w.WriteNullFlag(value.IsValid))
        {
            w.WriteFloat64(value.Value);
        }
    }

    private static ushort Word(ReadOnlySpan<byte> body, int at) => BinaryPrimitives.ReadUInt16BigEndian(body[at..]);
}
