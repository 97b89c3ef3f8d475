using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ingest.Sinks.ClickHouse;

namespace Ingest.Tests.Infrastructure;

/// <summary>A database of its own on a real ClickHouse (named <c>test_...</c>), dropped at the end.</summary>
public sealed class ClickHouseTestDatabase : IAsyncDisposable
{
    private ClickHouseTestDatabase(ClickHouseOptions options)
    {
        Options = options;
        Database = new ClickHouseDatabase(options);
    }

    public ClickHouseOptions Options { get; }

    public ClickHouseDatabase Database { get; }

    public string Name => Options.Database;

    /// <summary>A fresh database name on the shared test ClickHouse (or on <paramref name="endpoint"/>).</summary>
    public static async Task<ClickHouseTestDatabase> CreateAsync(Uri? endpoint = null, Action<ClickHouseOptions>? configure = null)
    {
        var services = await TestServices.GetAsync();
        var options = new ClickHouseOptions
        {
            Endpoint = (endpoint ?? services.ClickHouse).ToString(),
            User = services.ClickHouseUser,
            Password = services.ClickHousePassword,
            Database = "test_" + Guid.NewGuid().ToString("N")[..12],
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        return new ClickHouseTestDatabase(options);
    }

    public async Task<long> ScalarAsync(string sql)
    {
        var text = await Database.QueryTextAsync(sql, CancellationToken.None);
        return long.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Rows of a query as JSON objects (FORMAT JSONEachRow).</summary>
    public Task<List<JsonElement>> QueryJsonAsync(string sql) =>
        Database.QueryJsonEachRowAsync(sql, (JsonTypeInfo<JsonElement>)JsonSerializerOptions.Default.GetTypeInfo(typeof(JsonElement)),
            CancellationToken.None);

    /// <summary>Row count; with <paramref name="final"/> retried copies are collapsed as queries see them.</summary>
    public Task<long> CountAsync(string table, bool final = true) =>
        ScalarAsync($"SELECT count() FROM {Database.Qualified(table)}{(final ? " FINAL" : "")}");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Database.ExecuteAsync($"DROP DATABASE IF EXISTS {SqlLiteral.Identifier(Name)}", CancellationToken.None, useSystemDatabase: true);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            // A private server that a test already stopped: its folder is deleted with it.
        }
        Database.Dispose();
    }
}
