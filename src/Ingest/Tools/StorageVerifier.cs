using Ingest.Records;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.ClickHouse.Schema;
using Ingest.Spool;

namespace Ingest.Tools;

/// <summary>
/// Compares the spool with ClickHouse and, for repair, re-inserts what is missing. The rows a record must have are
/// computed by the sink's own projector (rows are a deterministic function of the record), so the comparison is by
/// spool identity: (node, spool offset[, item index]) per table.
/// </summary>
/// <remarks>
/// <para>By default only records the sink has delivered are checked: those before its persisted cursor. Records after
/// it are the sink's to deliver (it re-reads from that cursor after any restart); <see cref="IncludeUndelivered"/>
/// checks them too (a stopped node, or a copy of a spool whose cursor does not matter).</para>
/// <para>The range is worked through in chunks of <see cref="ChunkRecords"/> records, so memory stays bounded
/// whatever the spool holds; each chunk costs one query per table.</para>
/// <para>Repair goes through the sink's insert path (<see cref="RowBuffer{TRow}"/> RowBinary, the same column lists,
/// <see cref="ClickHouseDatabase.InsertAsync"/>) after the sink's schema check. Every row of a record that misses a
/// row in a table is inserted again into that table: a row that was present gets an identical copy with the same
/// replacing key, which collapses under FINAL and at the next merge, so a second repair changes nothing.</para>
/// </remarks>
public sealed class StorageVerifier
{
    private readonly SpoolScanner _spool;
    private readonly ClickHouseDatabase _database;
    private readonly IClickHouseRowProjector _projector;
    private readonly ClickHouseStoredKeys _stored;
    private readonly string _node;

    public StorageVerifier(SpoolScanner spool, ClickHouseDatabase database, IClickHouseRowProjector projector, string node)
    {
        _spool = spool;
        _database = database;
        _projector = projector;
        _node = node;
        _stored = new ClickHouseStoredKeys(database);
    }

    /// <summary>Records compared per round of queries. Default 200,000.</summary>
    public int ChunkRecords { get; init; } = 200_000;

    /// <summary>Keys listed per table for missing and for unexpected rows. Default 100.</summary>
    public int MaxListed { get; init; } = 100;

    /// <summary>Rows per repair insert (the sink's <see cref="ClickHouseOptions.BatchRows"/>).</summary>
    public int BatchRows { get; init; } = 10_000;

    /// <summary>Also check records after the sink's cursor.</summary>
    public bool IncludeUndelivered { get; init; }

    public async Task<VerifyReport> RunAsync(VerifyRange range, bool repair, CancellationToken cancellationToken)
    {
        var tables = ClickHouseRowBuffers.Tables;
        var cursor = IncludeUndelivered ? null : _spool.ReadCursor(ClickHouseSink.ConsumerName);
        var first = FirstRecord();
        var report = new VerifyReport
        {
            Node = _node,
            Database = _database.Database,
            SpoolDirectory = _spool.Directory,
            Range = range,
            Repair = repair,
            SinkCursor = cursor,
            IncludeUndelivered = IncludeUndelivered,
            SpoolFirstOffset = first?.Offset,
            SpoolFirstReceivedAt = first?.ReceivedAt,
            Tables = tables.Select(t => new TableVerification(t.Name, t.HasItemIndex)).ToList(),
        };
        NoteWhatTheSpoolNoLongerHolds(report, range, first);

        // Rows of offsets the spool no longer holds cannot be told from extras: start at the oldest record.
        long from = Math.Max(range.FromOffset ?? 0, first?.Offset ?? 0);
        long to = range.ToOffset ?? long.MaxValue;
        if (!IncludeUndelivered)
        {
            to = Math.Min(to, cursor ?? from);
        }
        report.CheckedFromOffset = from;
        report.CheckedToOffset = from;
        if (first is null || to <= from)
        {
            return report;
        }

        if (repair)
        {
            // The sink's own start-up step: a database that lost its tables gets them back before rows go in.
            await new ClickHouseSchema(_database).EnsureAsync(cancellationToken).ConfigureAwait(false);
        }

        var expected = tables.Select(_ => new HashSet<SpoolRowKey>()).ToArray();
        var scratch = new ClickHouseRowBuffers();
        using var records = _spool.Read(from, to).GetEnumerator();
        long chunkStart = from;
        bool more = true;
        while (more)
        {
            long chunkEnd = chunkStart;
            int inChunk = 0;
            while (inChunk < ChunkRecords && (more = records.MoveNext()))
            {
                var record = records.Current;
                chunkEnd = record.NextOffset;
                report.RecordsScanned++;
                if (!range.ContainsReceiveTime(record))
                {
                    continue;
                }
                inChunk++;
                Project(record, scratch, expected);
            }
            // The last chunk reaches the end of the range, so rows after the last record count as unexpected too.
            if (!more && to != long.MaxValue)
            {
                chunkEnd = Math.Max(chunkEnd, to);
            }
            await CompareAsync(report, range, chunkStart, chunkEnd, expected, repair, cancellationToken).ConfigureAwait(false);
            report.RecordsChecked += inChunk;
            report.CheckedToOffset = chunkEnd;
            foreach (var set in expected)
            {
                set.Clear();
            }
            chunkStart = chunkEnd;
        }

        report.Damage.AddRange(_spool.Damage.Where(d => d.Offset < report.CheckedToOffset && (d.Bytes == 0 || d.Offset + d.Bytes > from)));
        return report;
    }

    private void Project(in SpoolRecord record, ClickHouseRowBuffers scratch, HashSet<SpoolRowKey>[] expected)
    {
        _projector.Project(record, scratch);
        var buffers = scratch.All;
        for (int t = 0; t < buffers.Count; t++)
        {
            // The keys of the very bytes the sink would insert for this record.
            RowBinaryKeys.Read(buffers[t].Table, buffers[t].Encoded.WrittenMemory.Span, buffers[t].Count, expected[t]);
        }
        scratch.Clear();
    }

    private async Task CompareAsync(VerifyReport report, VerifyRange range, long chunkStart, long chunkEnd,
        HashSet<SpoolRowKey>[] expected, bool repair, CancellationToken cancellationToken)
    {
        var tables = ClickHouseRowBuffers.Tables;
        for (int t = 0; t < tables.Count; t++)
        {
            var result = report.Tables[t];
            var present = await _stored.ReadAsync(tables[t], _node, chunkStart, chunkEnd, range.ReceivedFrom, range.ReceivedTo, cancellationToken)
                .ConfigureAwait(false);
            var missing = expected[t].Where(k => !present.Contains(k)).OrderBy(k => k.SpoolOffset).ThenBy(k => k.ItemIndex).ToList();
            var unexpected = present.Where(k => !expected[t].Contains(k)).OrderBy(k => k.SpoolOffset).ThenBy(k => k.ItemIndex).ToList();
            result.Expected += expected[t].Count;
            result.Present += expected[t].Count - missing.Count;
            result.Missing += missing.Count;
            result.Unexpected += unexpected.Count;
            result.MissingKeys.AddRange(missing.Take(MaxListed - result.MissingKeys.Count));
            result.UnexpectedKeys.AddRange(unexpected.Take(MaxListed - result.UnexpectedKeys.Count));
            if (!repair)
            {
                continue;
            }
            result.MissingAfterRepair ??= 0;
            if (missing.Count == 0)
            {
                continue;
            }
            result.RepairedRows += await ReinsertAsync(t, missing.Select(k => k.SpoolOffset).ToHashSet(), chunkStart, chunkEnd, cancellationToken)
                .ConfigureAwait(false);
            // Read back what the repair was for: it counts as done only when ClickHouse shows the rows.
            present = await _stored.ReadAsync(tables[t], _node, chunkStart, chunkEnd, range.ReceivedFrom, range.ReceivedTo, cancellationToken)
                .ConfigureAwait(false);
            result.MissingAfterRepair += missing.Count(k => !present.Contains(k));
        }
    }

    /// <summary>Projects the records at <paramref name="offsets"/> again and inserts their rows of table <paramref name="table"/>.</summary>
    private async Task<long> ReinsertAsync(int table, HashSet<long> offsets, long chunkStart, long chunkEnd, CancellationToken cancellationToken)
    {
        var rows = new ClickHouseRowBuffers();
        var buffer = rows.All[table];
        long inserted = 0;
        long firstOffset = -1, lastOffset = -1;
        foreach (var record in _spool.Read(chunkStart, chunkEnd))
        {
            if (!offsets.Contains(record.Offset))
            {
                continue;
            }
            _projector.Project(record, rows);
            firstOffset = firstOffset < 0 ? record.Offset : firstOffset;
            lastOffset = record.Offset;
            if (buffer.Count >= BatchRows)
            {
                inserted += await InsertAsync(buffer, firstOffset, lastOffset, cancellationToken).ConfigureAwait(false);
                firstOffset = -1;
            }
            // Only this table's rows are wanted; the other tables' buffers are dropped record by record.
            foreach (var other in rows.All.Where(b => !ReferenceEquals(b, buffer)))
            {
                other.Clear();
            }
        }
        if (buffer.Count > 0)
        {
            inserted += await InsertAsync(buffer, firstOffset, lastOffset, cancellationToken).ConfigureAwait(false);
        }
        return inserted;
    }

    private async Task<long> InsertAsync(IRowBuffer buffer, long firstOffset, long lastOffset, CancellationToken cancellationToken)
    {
        int count = buffer.Count;
        var queryId = $"ingest-repair-{buffer.Table.Name}-{firstOffset}-{lastOffset}-{Guid.NewGuid().ToString("N")[..8]}";
        await _database.InsertAsync(buffer, queryId, cancellationToken).ConfigureAwait(false);
        buffer.Clear();
        return count;
    }

    private sealed record FirstRecordInfo(long Offset, DateTimeOffset? ReceivedAt);

    private FirstRecordInfo? FirstRecord()
    {
        foreach (var record in _spool.Read(0, long.MaxValue))
        {
            return new FirstRecordInfo(record.Offset, FrameEnvelope.TryRead(record.Payload, out var envelope) ? envelope.ReceivedAt : null);
        }
        return null;
    }

    /// <summary>
    /// Retention deletes whole segments behind every consumer. When the requested range starts before the oldest
    /// record left and the spool has lost records (its first offset is past 0), rows of the lost part cannot be checked.
    /// </summary>
    private static void NoteWhatTheSpoolNoLongerHolds(VerifyReport report, VerifyRange range, FirstRecordInfo? first)
    {
        long oldest = first?.Offset ?? 0;
        if (oldest == 0 && first is not null)
        {
            return; // nothing was ever deleted
        }
        if (range.FromOffset is { } fromOffset && fromOffset < oldest)
        {
            report.Incomplete.Add($"offsets [{fromOffset}, {oldest}) are no longer in the spool (deleted after delivery); their rows cannot be checked or repaired.");
        }
        else if (range.ReceivedFrom is { } from && (first?.ReceivedAt is not { } oldestAt || from < oldestAt))
        {
            report.Incomplete.Add(first?.ReceivedAt is { } at
                ? $"the oldest record left in the spool was received at {at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}, after --from; records received before it were deleted after delivery and their rows cannot be checked or repaired."
                : "the spool holds no records; nothing in the requested time range can be checked.");
        }
    }
}
