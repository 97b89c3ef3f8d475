using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Ingest.Hosting;
using Ingest.Http.Security;
using Ingest.Protocol.Framing;
using Ingest.Sinks.ClickHouse;
using Ingest.Tools;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Http;

/// <summary>
/// <c>GET /vehicles/{vin}/frames</c>: a vehicle's stored frames, decoded, as JSON Lines, streamed from ClickHouse to
/// the client. Each frame is decoded and written as its row arrives and the response is flushed every
/// <see cref="FlushBytes"/>, so a query costs one read buffer and one frame however many rows it returns; a client that
/// reads slowly slows the ClickHouse read (the flush waits) instead of growing memory. At most
/// <see cref="HttpOptions.MaxConcurrentHistoryQueries"/> run at once; one more is answered 429 at once.
/// </summary>
public static class FrameHistoryEndpoint
{
    /// <summary>Written bytes after which the response is flushed to the client.</summary>
    public const int FlushBytes = 32 * 1024;

    private static readonly FramingOptions Framing = new ListenerOptions { Protocol = ListenerProtocol.Auto, MaxFrameBytes = 65556 }.ToFramingOptions();

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/vehicles/{vin}/frames", HandleAsync)
            .RequireAuthorization(ApiScopes.HistoryRead)
            .WithSummary("Stored frames of one vehicle between from and to (ISO 8601, default: the last day), decoded, as JSON Lines " +
                "streamed from ClickHouse; limit defaults to 1000 and may not exceed Http:MaxHistoryLimit (400 otherwise); " +
                "429 with Retry-After when Http:MaxConcurrentHistoryQueries are running; 502 when the ClickHouse query fails; 503 without ClickHouse. " +
                "Scope history:read; 404 for a vehicle of another tenant.");
    }

    private static async Task HandleAsync(string vin, DateTimeOffset? from, DateTimeOffset? to, int? limit, HttpContext context,
        HistoryQueryLimiter limiter, IOptions<HttpOptions> httpOptions, TimeProvider time, ILoggerFactory loggers)
    {
        if (!VehicleAccess.TryAuthorize(context, vin, out var caller))
        {
            await Results.NotFound().ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        var options = httpOptions.Value;
        // Audited as asked, before anything can fail: an attempt on a vehicle's history is what an auditor looks for.
        var asked = time.GetUtcNow();
        AuditLog.HistoryRead(VehicleAccess.Audit(context), vin, from ?? asked.AddDays(-1), to ?? asked, limit ?? Math.Min(1000, options.MaxHistoryLimit),
            caller.KeyId, caller.Name);
        var history = context.RequestServices.GetService<ClickHouseFrameHistory>();
        if (history is null)
        {
            await Results.Problem("ClickHouse is not configured on this node.", statusCode: StatusCodes.Status503ServiceUnavailable)
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        int limitRows = limit ?? Math.Min(1000, options.MaxHistoryLimit);
        if (limitRows < 1 || limitRows > options.MaxHistoryLimit)
        {
            await Results.Problem($"limit must be between 1 and {options.MaxHistoryLimit} (Http:MaxHistoryLimit).",
                statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        var logger = loggers.CreateLogger(typeof(FrameHistoryEndpoint).FullName!);
        using var slot = limiter.TryEnter();
        if (slot is null)
        {
            HttpLog.HistoryQueryRefused(logger, vin, limiter.Active, limiter.Capacity);
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(options.HistoryRetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await Results.Problem($"{limiter.Capacity} history queries are running (Http:MaxConcurrentHistoryQueries); retry later.",
                statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var now = time.GetUtcNow();
        using var deadline = new CancellationTokenSource(options.HistoryQueryTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, deadline.Token);
        await using var rows = history.StreamFramesAsync(vin, from ?? now.AddDays(-1), to ?? now, limitRows, linked.Token)
            .GetAsyncEnumerator(linked.Token);
        int frames = 0;
        try
        {
            // The first row (or the end) decides the status: a ClickHouse that is down or refuses the query is a 502,
            // not a 200 with an empty body.
            bool any;
            try
            {
                any = await rows.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                HttpLog.HistoryQueryFailed(logger, vin, 0, ClickHouseDatabase.Describe(exception));
                await Results.Problem("The ClickHouse query failed: " + ClickHouseDatabase.Describe(exception),
                    statusCode: StatusCodes.Status502BadGateway).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            var response = context.Response;
            response.ContentType = "application/x-ndjson";
            await response.StartAsync(linked.Token).ConfigureAwait(false);
            if (any)
            {
                frames = await WriteFramesAsync(rows, response, limiter, linked.Token).ConfigureAwait(false);
            }
            await response.CompleteAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nothing to answer.
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            HttpLog.HistoryQueryTimedOut(logger, vin, options.HistoryQueryTimeout, frames);
            context.Abort();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The status line is gone already: cutting the connection is how the client learns the answer is incomplete.
            HttpLog.HistoryQueryFailed(logger, vin, frames, ClickHouseDatabase.Describe(exception));
            context.Abort();
        }
    }

    /// <summary>
    /// One JSON line per frame, in ClickHouse's order, starting with the enumerator's current one; flushed every
    /// <see cref="FlushBytes"/>. Returns the frame count.
    /// </summary>
    private static async Task<int> WriteFramesAsync(IAsyncEnumerator<StoredFrame> stored, HttpResponse response, HistoryQueryLimiter limiter,
        CancellationToken cancellationToken)
    {
        var output = response.BodyWriter;
        using var json = new Utf8JsonWriter(output);
        int index = 0, counted = 0;
        long pending = 0;
        do
        {
            WriteFrame(json, stored.Current.Bytes, index++);
            pending += json.BytesCommitted + 1;
            json.Reset();
            output.Write("\n"u8);
            if (pending >= FlushBytes)
            {
                pending = 0;
                limiter.CountFrames(index - counted);
                counted = index;
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        while (await stored.MoveNextAsync().ConfigureAwait(false));
        limiter.CountFrames(index - counted);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return index;
    }

    /// <summary>The same object per frame as the decode tool writes for <c>--file</c> input.</summary>
    private static void WriteFrame(Utf8JsonWriter json, byte[] frame, int index)
    {
        if (WholeFrame.TryValidate(frame, Framing, out var header, out var error))
        {
            DecodedFrames.Write(json, ListenerProtocol.Auto, header, frame, index, 0, verifyRoundTrip: false);
        }
        else
        {
            FrameDecoder.WriteError(json, index, 0, frame.Length, error, frame);
        }
        json.Flush();
    }
}
