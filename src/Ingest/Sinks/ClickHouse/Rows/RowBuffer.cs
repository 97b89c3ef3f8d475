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

    /// <summary>The spool keys of the rows added since the last <see cref="Clear"/>, in order; empty unless the buffer tracks keys.</summary>
    IReadOnlyList<SpoolRowKey> Keys { get; }

    void Clear();
}

/// <summary>
/// Typed rows of one table. A row is encoded when it is added, so nothing but bytes is kept between inserts and the
/// buffer's memory is reused batch after batch.
/// </summary>
public sealed class RowBuffer<TRow> : IRowBuffer
    where TRow : struct, IClickHouseRow<TRow>
{
    private readonly RowBinaryWriter _writer = new();
    private readonly List<SpoolRowKey>? _keys;

    /// <param name="trackKeys">Also keep each row's <see cref="SpoolRowKey"/> (verify and repair; the sink does not need them).</param>
    public RowBuffer(bool trackKeys = false) => _keys = trackKeys ? [] : null;

    public ClickHouseTable Table => TRow.Table;

    public int Count { get; private set; }

    public RowBinaryWriter Encoded => _writer;

    public IReadOnlyList<SpoolRowKey> Keys => (IReadOnlyList<SpoolRowKey>?)_keys ?? [];

    public void Add(in TRow row)
    {
        TRow.Write(_writer, row);
        _keys?.Add(TRow.KeyOf(row));
        Count++;
    }

    public void Clear()
    {
        _writer.Clear();
        _keys?.Clear();
        Count = 0;
    }
}

/// <summary>One buffer per table of the sink; what a projector appends to.</summary>
public sealed class ClickHouseRowBuffers
{
    /// <param name="trackKeys">Keep every row's spool key in <see cref="IRowBuffer.Keys"/>.</param>
    public ClickHouseRowBuffers(bool trackKeys = false)
    {
        FramesRaw = new(trackKeys);
        VehicleSamples = new(trackKeys);
        EmissionSamples = new(trackKeys);
        Sessions = new(trackKeys);
    }

    public RowBuffer<FrameRawRow> FramesRaw { get; }

    public RowBuffer<VehicleSampleRow> VehicleSamples { get; }

    public RowBuffer<EmissionSampleRow> EmissionSamples { get; }

    public RowBuffer<SessionEventRow> Sessions { get; }

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
