using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using Ingest.Sinks.ClickHouse.Rows;

namespace Ingest.Sinks.ClickHouse;

/// <summary>
/// The one place that talks HTTP to ClickHouse, in the subset that works from 18.16 to current servers: DDL through
/// <c>ExecuteNonQuery</c>, reads as <c>FORMAT JSONEachRow</c>/<c>TabSeparated</c> raw results, inserts as uncompressed
/// <c>RowBinary</c> request bodies with explicit column lists, no server-side query parameters and no JSON
/// type settings (18.16 rejects <c>RowBinaryWithNamesAndTypes</c>, zstd bodies and unknown settings).
/// </summary>
public sealed class ClickHouseDatabase : IDisposable
{
    private readonly ClickHouseClient _client;

    public ClickHouseDatabase(ClickHouseOptions options)
    {
        if (!options.IsConfigured || !Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint))
        {
            throw new ArgumentException("ClickHouse:Endpoint is not an absolute URL.", nameof(options));
        }
        SqlLiteral.Identifier(options.Database);
        Database = options.Database;
        Cluster = string.IsNullOrWhiteSpace(options.Cluster) ? null : options.Cluster;
        Endpoint = endpoint;
        _client = new ClickHouseClient(new ClickHouseClientSettings
        {
            Host = endpoint.Host,
            Port = (ushort)endpoint.Port,
            Protocol = endpoint.Scheme,
            Path = endpoint.AbsolutePath == "/" ? null : endpoint.AbsolutePath,
            Database = options.Database,
            Username = options.User,
            Password = options.Password,
            UseCompression = false,
            Timeout = options.RequestTimeout,
            JsonReadMode = JsonReadMode.None,
            JsonWriteMode = JsonWriteMode.None,
        });
    }

    public Uri Endpoint { get; }

    public string Database { get; }

    /// <summary>Cluster name for <c>ON CLUSTER</c> DDL and Distributed tables; null for a single server.</summary>
    public string? Cluster { get; }

    /// <summary>Known after <see cref="ReadServerVersionAsync"/>.</summary>
    public ClickHouseServerVersion? ServerVersion { get; private set; }

    /// <summary><c>`database`.`table`</c>.</summary>
    public string Qualified(string table) => SqlLiteral.Identifier(Database) + "." + SqlLiteral.Identifier(table);

    public async Task<ClickHouseServerVersion> ReadServerVersionAsync(CancellationToken cancellationToken)
    {
        var text = await QueryTextAsync("SELECT version()", cancellationToken, useSystemDatabase: true).ConfigureAwait(false);
        if (!ClickHouseServerVersion.TryParse(text, out var version))
        {
            throw new InvalidOperationException($"ClickHouse at {Endpoint} answered version() with '{text.Trim()}', which is not a version.");
        }
        ServerVersion = version;
        return version;
    }

    /// <summary>Runs a statement. <paramref name="useSystemDatabase"/> for statements that run before our database exists.</summary>
    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken, bool useSystemDatabase = false)
    {
        if (Cluster is not null && sql.Contains(" ON CLUSTER ", StringComparison.Ordinal))
        {
            // ON CLUSTER DDL answers with one row per server in the default_format the client asks for, which 18.16
            // does not know (RowBinaryWithNamesAndTypes) and a FORMAT clause does not change: ask for text and read
            // it to the end (a server that failed the statement fails the whole request).
            var options = new QueryOptions
            {
                Database = useSystemDatabase ? "system" : null,
                CustomSettings = new Dictionary<string, object> { ["default_format"] = "TabSeparated" },
            };
            using var result = await _client.ExecuteRawResultAsync(sql, options, cancellationToken).ConfigureAwait(false);
            await result.ReadAsStringAsync().ConfigureAwait(false);
            return;
        }
        await _client.ExecuteNonQueryAsync(sql, null, Options(useSystemDatabase), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs an <c>INSERT ... SELECT</c>. The driver asks for its own default output format
    /// (<c>RowBinaryWithNamesAndTypes</c>) with every statement; 18.16 does not know it and, unlike for DDL, checks it
    /// for a statement with a SELECT in it, so this one names a format every version knows.
    /// </summary>
    public async Task InsertSelectAsync(string sql, CancellationToken cancellationToken)
    {
        var options = new QueryOptions { CustomSettings = new Dictionary<string, object> { ["default_format"] = "TabSeparated" } };
        await _client.ExecuteNonQueryAsync(sql, null, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a query with <c>FORMAT TabSeparated</c> appended and returns the text.</summary>
    public async Task<string> QueryTextAsync(string sql, CancellationToken cancellationToken, bool useSystemDatabase = false)
    {
        using var result = await _client
            .ExecuteRawResultAsync(sql + " FORMAT TabSeparated", Options(useSystemDatabase), cancellationToken)
            .ConfigureAwait(false);
        return await result.ReadAsStringAsync().ConfigureAwait(false);
    }

    /// <summary>Runs a query with <c>FORMAT JSONEachRow</c> appended and deserialises one object per line.</summary>
    public async Task<List<T>> QueryJsonEachRowAsync<T>(string sql, JsonTypeInfo<T> rowType, CancellationToken cancellationToken)
    {
        using var result = await _client
            .ExecuteRawResultAsync(sql + " FORMAT JSONEachRow", Options(false), cancellationToken)
            .ConfigureAwait(false);
        var bytes = await result.ReadAsByteArrayAsync().ConfigureAwait(false);
        var rows = new List<T>();
        var rest = bytes.AsSpan();
        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (!line.IsEmpty)
            {
                rows.Add(System.Text.Json.JsonSerializer.Deserialize(line, rowType)
                    ?? throw new InvalidOperationException("ClickHouse returned a JSON null row."));
            }
        }
        return rows;
    }

    /// <summary>
    /// Runs a query with <c>FORMAT JSONEachRow</c> appended and yields one object per line as the response arrives:
    /// memory stays at one read buffer plus one line, however many rows the query returns (the history API and the
    /// state rebuild read this way). A line longer than <see cref="MaxStreamedLineBytes"/> is an error, not a buffer.
    /// </summary>
    public async IAsyncEnumerable<T> StreamJsonEachRowAsync<T>(string sql, JsonTypeInfo<T> rowType,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var result = await _client
            .ExecuteRawResultAsync(sql + " FORMAT JSONEachRow", Options(false), cancellationToken)
            .ConfigureAwait(false);
        var stream = await result.ReadAsStreamAsync().ConfigureAwait(false);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: false));
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = read.Buffer;
                while (TryTakeLine(ref buffer, read.IsCompleted, out var line))
                {
                    if (!line.IsEmpty)
                    {
                        yield return ParseLine(line, rowType);
                    }
                }
                if (buffer.Length > MaxStreamedLineBytes)
                {
                    throw new InvalidOperationException($"ClickHouse sent a line longer than {MaxStreamedLineBytes} bytes.");
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Longest JSONEachRow line <see cref="StreamJsonEachRowAsync"/> accepts (a 64 KiB frame in hex is 128 KiB).</summary>
    public const int MaxStreamedLineBytes = 4 * 1024 * 1024;

    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, bool completed, out ReadOnlySequence<byte> line)
    {
        if (buffer.PositionOf((byte)'\n') is { } end)
        {
            line = buffer.Slice(0, end);
            buffer = buffer.Slice(buffer.GetPosition(1, end));
            return true;
        }
        if (completed && !buffer.IsEmpty)
        {
            line = buffer;
            buffer = buffer.Slice(buffer.End);
            return true;
        }
        line = default;
        return false;
    }

    private static T ParseLine<T>(ReadOnlySequence<byte> line, JsonTypeInfo<T> rowType)
    {
        var json = new Utf8JsonReader(line);
        return JsonSerializer.Deserialize(ref json, rowType) ?? throw new InvalidOperationException("ClickHouse returned a JSON null row.");
    }

    /// <summary>
    /// Inserts the encoded rows of one buffer as RowBinary with the table's column list. Returns the elapsed time.
    /// </summary>
    public async Task<TimeSpan> InsertAsync(IRowBuffer rows, string queryId, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var segment = rows.Encoded.WrittenSegment;
        // The driver disposes the stream it is given; a MemoryStream over our buffer does not copy.
        var body = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
        using var response = await _client
            .InsertRawStreamAsync(Qualified(rows.Table.Name), body, "RowBinary", rows.Table.ColumnNames, useCompression: false,
                new QueryOptions { QueryId = queryId }, cancellationToken)
            .ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    private static QueryOptions? Options(bool useSystemDatabase) =>
        useSystemDatabase ? new QueryOptions { Database = "system" } : null;

    public void Dispose() => _client.Dispose();

    internal static string Describe(Exception exception)
    {
        var text = new StringBuilder(exception.GetType().Name).Append(": ").Append(FirstLine(exception.Message));
        if (exception.InnerException is { } inner)
        {
            text.Append(" <- ").Append(inner.GetType().Name).Append(": ").Append(FirstLine(inner.Message));
        }
        return text.ToString();
    }

    private static string FirstLine(string text)
    {
        int end = text.IndexOf('\n');
        return end < 0 ? text : text[..end];
    }
}
