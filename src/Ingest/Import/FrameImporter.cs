using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Records;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Spool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Import;

/// <summary>
/// Takes framed historical frames and writes them through the sink's own projection into ClickHouse: each frame is
/// wrapped in the envelope a session would have written (receive time, port, the port's protocol) and projected by
/// <see cref="ClickHouseRowProjector"/> as a record of node <see cref="NodeName"/> whose "offset" is the frame's
/// <see cref="ImportedRowKey"/>. The rows are those of a live frame, marked as imported by their node.
/// </summary>
/// <remarks>
/// Imported frames go neither through the spool nor to Redis or any superior platform: they are history. The spool is
/// the terminals' path and its disk budget is theirs; the live state must never move back to an old frame; and the
/// regulator already had these frames from the legacy platform (relaying them again would arrive as late reissue).
/// Rows are inserted in batches of <see cref="BatchRows"/> frames; a failed insert is retried a few times, and a run
/// that stops can simply be run again, since every row replaces its earlier copy.
/// </remarks>
public sealed class FrameImporter : IImportTarget, IDisposable
{
    /// <summary>The node name of every imported row; <c>WHERE node = 'import'</c> selects them.</summary>
    public const string NodeName = "import";

    private readonly ClickHouseDatabase? _database;
    private readonly ImportReport _report;
    private readonly ILogger _logger;
    private readonly ClickHouseRowProjector _projector;
    private readonly ClickHouseRowBuffers _rows = new();
    private readonly ImportedRowKey _keys = new();
    private byte[] _payload = new byte[FrameEnvelope.SizeFor(4096)];
    private int _framesBuffered;
    private long _batches;

    /// <param name="listeners">The server's listeners: a port's name goes into the <c>listener</c> column and its HJ item layout is used, as live.</param>
    /// <param name="database">Null for a dry run: rows are projected and counted, not sent.</param>
    /// <param name="report">Counts rows written and problems.</param>
    /// <param name="logger">Category Ingest.Import.</param>
    public FrameImporter(IReadOnlyList<ListenerOptions> listeners, ClickHouseDatabase? database, ImportReport report, ILogger logger)
    {
        _database = database;
        _report = report;
        _logger = logger;
        _projector = new ClickHouseRowProjector(Options.Create(new IngestOptions { NodeName = NodeName, Listeners = [.. listeners] }));
    }

    /// <summary>Frames per insert. Default 10,000.</summary>
    public int BatchRows { get; init; } = 10_000;

    /// <summary>Waits before the retries of a failed insert (one retry per entry). Default 1 s, 2 s, 4 s.</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; init; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    /// <summary>The file whose frames and problems come in now.</summary>
    public FileImportReport? CurrentFile { get; set; }

    public bool FlushDue => _framesBuffered >= BatchRows;

    public void Frame(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, int listenerPort, ListenerProtocol protocol)
    {
        int size = FrameEnvelope.SizeFor(frame.Length);
        if (_payload.Length < size)
        {
            _payload = new byte[Math.Max(size, _payload.Length * 2)];
        }
        FrameEnvelope.WriteHeader(_payload, protocol, receivedAt.ToUnixTimeMilliseconds(), connectionId: 0, listenerPort);
        frame.CopyTo(_payload.AsSpan(FrameEnvelope.HeaderSize));
        long key = _keys.Of(receivedAt, frame);
        _projector.Project(new SpoolRecord(key, key, _payload.AsMemory(0, size)), _rows);
        _framesBuffered++;
    }

    public void Problem(ImportProblem problem)
    {
        _report.Add(problem, CurrentFile ?? throw new InvalidOperationException("A problem arrived outside a file."));
        ImportLog.Problem(_logger, problem.File, ImportReport.Name(problem.Kind), problem.Where, problem.FileOffset, problem.Detail);
    }

    /// <summary>Inserts what is buffered (table by table), or only counts it in a dry run.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_framesBuffered == 0)
        {
            return;
        }
        _batches++;
        foreach (var table in _rows.All.Where(t => t.Count > 0))
        {
            if (_database is not null)
            {
                await InsertWithRetriesAsync(table, cancellationToken).ConfigureAwait(false);
            }
            _report.RowsWritten[table.Table.Name] = _report.RowsWritten.GetValueOrDefault(table.Table.Name) + table.Count;
        }
        ImportLog.BatchWritten(_logger, _batches, _framesBuffered, _report.Frames);
        _rows.Clear();
        _framesBuffered = 0;
    }

    private async Task InsertWithRetriesAsync(IRowBuffer table, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await _database!.InsertAsync(table, $"ingest-import-{table.Table.Name}-{_batches}-{Guid.NewGuid().ToString("N")[..8]}", cancellationToken)
                    .ConfigureAwait(false);
                return;
            }
            catch (Exception exception) when (attempt < RetryDelays.Count && !cancellationToken.IsCancellationRequested)
            {
                ImportLog.InsertRetry(_logger, table.Table.Name, table.Count, attempt + 1, RetryDelays[attempt], ClickHouseDatabase.Describe(exception));
                await Task.Delay(RetryDelays[attempt], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _keys.Dispose();
}
