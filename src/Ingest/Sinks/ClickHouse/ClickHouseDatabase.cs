using System.Diagnostics;
using System.Text;
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
        await _client.ExecuteNonQueryAsync(sql, null, Options(useSystemDatabase), cancellationToken).ConfigureAwait(false);
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
