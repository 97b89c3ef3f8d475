using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.ClickHouse.Schema;
using Ingest.Spool;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Ingest.AlarmEvents;

/// <summary>
/// What every alarm destination shares: it reads event phases from the outbox in order, and skips the ones it already
/// delivered before a failure of the same batch (the loop rewinds to the committed cursor and sends the batch again).
/// </summary>
internal abstract class AlarmDelivery(string destination, AlarmMetrics metrics, TimeProvider time) : ISpoolBatchDelivery
{
    // Outbox offsets before this were delivered in this process, possibly in a batch that failed later on.
    private long _deliveredUpTo = -1;

    public string Destination { get; } = destination;

    protected AlarmMetrics Metrics { get; } = metrics;

    protected TimeProvider Time { get; } = time;

    public virtual ValueTask PrepareAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<Task> SendAsync(SpoolBatch batch, CancellationToken cancellationToken)
    {
        var events = new List<(long NextOffset, AlarmEvent Event, ReadOnlyMemory<byte> Json)>(batch.Count);
        foreach (var record in batch.Records)
        {
            if (record.Offset >= _deliveredUpTo)
            {
                events.Add((record.NextOffset, AlarmEvent.FromJsonUtf8(record.Payload.Span), record.Payload));
            }
        }
        return new(events.Count == 0 ? Task.CompletedTask : DeliverAllAsync(events, cancellationToken));
    }

    private async Task DeliverAllAsync(List<(long NextOffset, AlarmEvent Event, ReadOnlyMemory<byte> Json)> events, CancellationToken cancellationToken)
    {
        try
        {
            await DeliverAsync(events, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            Metrics.DeliveryFailed(Destination);
            throw;
        }
    }

    /// <summary>Delivers the phases in order, calling <see cref="Delivered"/> for each (or for the last of a group); throws on the first failure.</summary>
    protected abstract Task DeliverAsync(List<(long NextOffset, AlarmEvent Event, ReadOnlyMemory<byte> Json)> events, CancellationToken cancellationToken);

    protected void Delivered(long nextOffset, AlarmEvent e)
    {
        _deliveredUpTo = nextOffset;
        Metrics.Delivered(Destination, Time.GetUtcNow() - e.CausedAt);
    }

    public ValueTask FlushAsync(SpoolFlushReason reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>
/// POSTs each event phase as JSON, one request at a time in outbox order, signed:
/// <c>X-Alarm-Signature: sha256={hex HMAC-SHA256 of the body with the secret}</c>, and identified:
/// <c>Idempotency-Key: {id}:{phase}</c>. Any 2xx is delivered; anything else (or no answer within the timeout) is
/// retried with backoff from the webhook's cursor.
/// </summary>
internal sealed class WebhookDelivery : AlarmDelivery, IDisposable
{
    public const string SignatureHeader = "X-Alarm-Signature";
    public const string EventIdHeader = "X-Alarm-Event-Id";
    public const string PhaseHeader = "X-Alarm-Phase";
    public const string IdempotencyHeader = "Idempotency-Key";

    private readonly AlarmWebhookOptions _options;
    private readonly HttpClient _client;
    private readonly byte[] _secret;
    private readonly ILogger _logger;

    public WebhookDelivery(AlarmWebhookOptions options, AlarmMetrics metrics, TimeProvider time, ILogger logger)
        : base(AlarmOutbox.WebhookConsumer(options.Name), metrics, time)
    {
        _options = options;
        _secret = Encoding.UTF8.GetBytes(options.Secret);
        _logger = logger;
        _client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = options.Timeout,
        };
    }

    /// <summary>The signature header's value for <paramref name="body"/>.</summary>
    public static string Sign(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));

    protected override async Task DeliverAsync(List<(long NextOffset, AlarmEvent Event, ReadOnlyMemory<byte> Json)> events, CancellationToken cancellationToken)
    {
        foreach (var (next, e, json) in events)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = new ReadOnlyMemoryContent(json) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            string phase = e.Phase == AlarmPhase.Start ? "start" : "end";
            request.Headers.Add(SignatureHeader, Sign(_secret, json.Span));
            request.Headers.Add(EventIdHeader, e.Id);
            request.Headers.Add(PhaseHeader, phase);
            request.Headers.Add(IdempotencyHeader, e.Id + ":" + phase);
            HttpResponseMessage response;
            try
            {
                response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new SpoolDeliveryException($"webhook {_options.Name} ({_options.Url}) did not take alarm event {e.Id} ({phase}): {exception.Message}", exception);
            }
            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    AlarmLog.WebhookRefused(_logger, _options.Name, (int)response.StatusCode, e.Id, e.Phase);
                    throw new SpoolDeliveryException($"webhook {_options.Name} answered {(int)response.StatusCode} for alarm event {e.Id} ({phase})");
                }
            }
            Delivered(next, e);
        }
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>Inserts the phases into <c>alarm_events</c> (schema migration 4), one insert per batch.</summary>
internal sealed class ClickHouseAlarmDelivery(ClickHouseDatabase database, AlarmMetrics metrics, TimeProvider time)
    : AlarmDelivery(AlarmOutbox.ClickHouseConsumer, metrics, time)
{
    private readonly RowBuffer<AlarmEventRow> _rows = new();
    private bool _schemaReady;

    public override async ValueTask PrepareAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
        {
            // The ClickHouse sink applies the same migrations; both are idempotent, whoever comes first.
            await new ClickHouseSchema(database).EnsureAsync(cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }
    }

    protected override async Task DeliverAsync(List<(long NextOffset, AlarmEvent Event, ReadOnlyMemory<byte> Json)> events, CancellationToken cancellationToken)
    {
        _rows.Clear();
        foreach (var (_, e, _) in events)
        {
            _rows.Add(new AlarmEventRow
            {
                EventId = e.Id,
                Version = e.Phase == AlarmPhase.Start ? (byte)1 : (byte)2,
                Vin = e.Vin,
                Node = e.Node,
                Kind = (sbyte)e.Kind,
                Code = e.Code,
                Detail = e.Detail,
                StartedAt = e.StartedAt,
                EndedAt = e.EndedAt,
                StartOffset = e.StartOffset,
                EndOffset = e.EndOffset,
            });
        }
        try
        {
            await database.InsertAsync(_rows, string.Create(CultureInfo.InvariantCulture, $"ingest-alarm_events-{events[0].NextOffset}-{events[^1].NextOffset}-{Guid.NewGuid():N}"),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SpoolDeliveryException($"inserting {events.Count} alarm event phases into alarm_events failed: {exception.Message}", exception);
        }
        foreach (var (next, e, _) in events)
        {
            Delivered(next, e);
        }
    }
}

/// <summary>
/// Adds each phase to the Redis stream <c>{prefix}:{Alarms:RedisStream}</c> (fields <c>id</c>, <c>phase</c>, <c>vin</c>,
/// <c>kind</c>, <c>json</c>), trimmed to about <see cref="AlarmOptions.RedisStreamMaxLength"/>. A marker key per id
/// and phase (kept a day) makes a phase that comes again after a retry or a restart add nothing.
/// </summary>
internal sealed class RedisAlarmDelivery(Func<IDatabase> database, string streamKey, int maxLength, AlarmMetrics metrics, TimeProvider time)
    : AlarmDelivery(AlarmOutbox.RedisConsumer, metrics, time)
{
    // KEYS[1] stream, KEYS[2] marker. ARGV: max length, id, phase, vin, kind, json. Adds once per marker.
    private const string AddOnceScript = """
        if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', 86400) then return 0 end
        redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'id', ARGV[2], 'phase', ARGV[3], 'vin', ARGV[4], 'kind', ARGV[5], 'json', ARGV[6])
        return 1
        """;

    protected override async Task DeliverAsync(List<(long NextOffset, AlarmEvent Event, ReadOnlyMemory<byte> Json)> events, CancellationToken cancellationToken)
    {
        var db = database();
        var adds = new Task<RedisResult>[events.Count];
        RedisKey stream = streamKey;
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i].Event;
            string phase = e.Phase == AlarmPhase.Start ? "start" : "end";
            // The marker shares the stream's hash tag, so both keys live on one cluster slot.
            RedisKey marker = streamKey + ":seen:" + e.Id + ":" + phase;
            adds[i] = db.ScriptEvaluateAsync(AddOnceScript, [stream, marker],
                [maxLength, e.Id, phase, e.Vin, AlarmEvent.KindName(e.Kind), events[i].Json]);
        }
        try
        {
            await Task.WhenAll(adds).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SpoolDeliveryException($"adding {events.Count} alarm event phases to the Redis stream {streamKey} failed: {exception.Message}", exception);
        }
        foreach (var (next, e, _) in events)
        {
            Delivered(next, e);
        }
    }
}
