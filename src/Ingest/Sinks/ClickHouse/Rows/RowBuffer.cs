using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Schema;

namespace Ingest.Sinks.ClickHouse.Rows;

/// <summary>The rows of one table waiting for the next insert, already encoded as RowBinary.</summary>
public interface IRowBuffer
{
    ClickHouseTable Table { get; }

    int Count { get; }

    /// <summary>The encoded rows (valid until <see cref="Clear"/>).</summary>
    RowBinaryWriter Encoded { get; }

    void Clear();
}

/// <summary>
/// The rows of one table, encoded as they arrive, so nothing but bytes is kept between inserts and the buffer's
/// memory is reused batch after batch. The row projector writes each row's columns straight into <see cref="Encoded"/>
/// between <see cref="BeginRow"/> and <see cref="EndRow"/>; <see cref="Add"/> encodes a typed row (tests, tools).
/// </summary>
public sealed class RowBuffer<TRow> : IRowBuffer
    where TRow : struct, IClickHouseRow<TRow>
{
    private readonly RowBinaryWriter _writer = new();

    public ClickHouseTable Table => TRow.Table;

    public int Count { get; private set; }

    public RowBinaryWriter Encoded => _writer;

    public void Add(in TRow row)
    {
        TRow.Write(_writer, row);
        Count++;
    }

    /// <summary>Starts a row: write every column of <typeparamref name="TRow"/>'s table in order, then call <see cref="EndRow"/>.</summary>
    public RowBinaryWriter BeginRow() => _writer;

    public void EndRow() => Count++;

    /// <summary>Where the buffer ends now, to go back to with <see cref="RewindTo"/>.</summary>
    public RowBufferMark Mark() => new(_writer.WrittenCount, Count);

    /// <summary>
    /// Drops the rows written since <paramref name="mark"/>: a projector writes a record's rows while it walks the
    /// record once, and takes them back when the walk finds the record malformed.
    /// </summary>
    public void RewindTo(RowBufferMark mark)
    {
        _writer.Truncate(mark.Bytes);
        Count = mark.Rows;
    }

    public void Clear()
    {
        _writer.Clear();
        Count = 0;
    }
}

/// <summary>A position in a <see cref="RowBuffer{TRow}"/>: its encoded length and row count at one moment.</summary>
public readonly record struct RowBufferMark(int Bytes, int Rows);

/// <summary>One buffer per table of the sink; what a projector appends to.</summary>
public sealed class ClickHouseRowBuffers
{
    public RowBuffer<FrameRawRow> FramesRaw { get; } = new();

    public RowBuffer<VehicleSampleRow> VehicleSamples { get; } = new();

    public RowBuffer<EmissionSampleRow> EmissionSamples { get; } = new();

    public RowBuffer<SessionEventRow> Sessions { get; } = new();

    /// <summary>Every table in insert order (raw frames first).</summary>
    public IReadOnlyList<IRowBuffer> All => [FramesRaw, VehicleSamples, EmissionSamples, Sessions];

    public int TotalRows => FramesRaw.Count + VehicleSamples.Count + EmissionSamples.Count + Sessions.Count;

    /// <summary>The tables the sink creates, in the same order as <see cref="All"/>.</summary>
    public static IReadOnlyList<ClickHouseTable> Tables { get; } =
        [FrameRawRow.Table, VehicleSampleRow.Table, EmissionSampleRow.Table, SessionEventRow.Table];

    public void Clear()
    {
        FramesRaw.Clear();
        VehicleSamples.Clear();
        EmissionSamples.Clear();
        Sessions.Clear();
    }
}
