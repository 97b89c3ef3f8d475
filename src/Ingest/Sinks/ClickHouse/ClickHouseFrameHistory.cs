using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using Ingest.Sinks.ClickHouse.Rows;

namespace Ingest.Sinks.ClickHouse;

/// <summary>A stored frame as the history API returns it.</summary>
public sealed record StoredFrame(string Node, long SpoolOffset, DateTimeOffset ReceivedAt, byte Command, byte[] Bytes);

/// <summary>
/// History queries for the HTTP API. Reads <c>FINAL</c> (retried batches collapsed), with every value an escaped
/// literal (18.16 has no query parameters) and times as unix seconds (independent of the server's time zone).
/// </summary>
public sealed class ClickHouseFrameHistory
{
    /// <summary>Hard ceiling of <c>limit</c>; the HTTP API's own maximum (<c>Http:MaxHistoryLimit</c>) is at most this.</summary>
    public const int MaxLimit = 1_000_000;

    private readonly ClickHouseDatabase _database;

    public ClickHouseFrameHistory(ClickHouseDatabase database) => _database = database;

    /// <summary>Raw frames of one vehicle received in [<paramref name="from"/>, <paramref name="to"/>), oldest first.</summary>
    public async Task<IReadOnlyList<StoredFrame>> GetFramesAsync(
        string vin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        var frames = new List<StoredFrame>();
        await foreach (var frame in StreamFramesAsync(vin, from, to, limit, cancellationToken).ConfigureAwait(false))
        {
            frames.Add(frame);
        }
        return frames;
    }

    /// <summary>
    /// As <see cref="GetFramesAsync"/>, one frame at a time as ClickHouse sends them: memory does not grow with
    /// <paramref name="limit"/> (the HTTP history endpoint writes each frame out before it reads the next).
    /// </summary>
    public async IAsyncEnumerable<StoredFrame> StreamFramesAsync(
        string vin, DateTimeOffset from, DateTimeOffset to, int limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vin);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLimit);
        if (to <= from)
        {
            yield break;
        }
        var sql =
            $"SELECT node, spool_offset, toUnixTimestamp(received_at) AS received_at, command, hex(frame_bytes) AS frame_hex " +
            $"FROM {_database.Qualified(FrameRawRow.Table.Name)} FINAL " +
            $"WHERE vin = {SqlLiteral.Quote(vin)} " +
            $"AND received_at >= {SqlLiteral.DateTime(from)} AND received_at < {SqlLiteral.DateTime(to)} " +
            $"ORDER BY received_at, node, spool_offset LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";
        await foreach (var r in _database
            .StreamJsonEachRowAsync(sql, ClickHouseJsonContext.Default.FrameJsonRow, cancellationToken)
            .ConfigureAwait(false))
        {
            yield return new StoredFrame(r.Node, r.SpoolOffset, DateTimeOffset.FromUnixTimeSeconds(r.ReceivedAt), r.Command,
                Convert.FromHexString(r.FrameHex));
        }
    }
}

/// <summary>One JSONEachRow line of <see cref="ClickHouseFrameHistory.GetFramesAsync"/>. 64-bit integers may arrive quoted.</summary>
internal sealed record FrameJsonRow(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("spool_offset")] long SpoolOffset,
    [property: JsonPropertyName("received_at")] long ReceivedAt,
    [property: JsonPropertyName("command")] byte Command,
    [property: JsonPropertyName("frame_hex")] string FrameHex);

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(FrameJsonRow))]
internal sealed partial class ClickHouseJsonContext : JsonSerializerContext
{
}
