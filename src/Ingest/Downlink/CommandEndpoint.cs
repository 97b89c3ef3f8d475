using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ingest.Http.Security;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ingest.Downlink;

/// <summary>
/// <c>POST /vehicles/{vin}/commands</c>: parameter query, parameter set or terminal control to the vehicle's live
/// connection, answered with the terminal's decoded answer. Scope admin. Every request that passes authentication is
/// audited (<see cref="AuditLog"/> events 1818-1819): who, what, when, and how it ended.
/// </summary>
public static class CommandEndpoint
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/vehicles/{vin}/commands", HandleAsync)
            .RequireAuthorization(ApiScopes.Admin)
            .Accepts<JsonElement>("application/json")
            .WithSummary("Sends a parameter query (0x80), parameter set (0x81) or terminal control (0x82) to the vehicle's connection on this node " +
                "and waits for its answer (Commands:ReplyTimeout, or timeout_s). Body: {\"command\":\"query\",\"parameters\":[\"report_period_s\"]}, " +
                "{\"command\":\"set\",\"parameters\":{\"report_period_s\":10}}, {\"command\":\"control\",\"control\":\"reset\"}. " +
                "200 with outcome accepted or refused (the terminal's negative flag) and the decoded answer; 400 invalid or not in the vehicle's " +
                "protocol; 409 offline or busy (one command per vehicle at a time); 421 connected to another node (named); 502 the connection " +
                "ended first; 504 no answer in time. Scope admin; audited.");
    }

    private static async Task<IResult> HandleAsync(string vin, HttpContext context, CommandDispatcher dispatcher, CancellationToken cancellationToken)
    {
        if (!VehicleAccess.TryAuthorize(context, vin, out var caller))
        {
            return Results.NotFound();
        }
        var audit = VehicleAccess.Audit(context);
        var problems = new Dictionary<string, string[]>();
        JsonElement body = default;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, default, cancellationToken);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            problems["body"] = ["The body is not JSON: " + ex.Message];
        }
        Vin target = default;
        if (vin.Length is 0 or > Vin.Length || vin.Any(c => c is < ' ' or > '~'))
        {
            problems["vin"] = [$"'{vin}' is not a VIN: 1 to {Vin.Length} printable ASCII characters."];
        }
        else
        {
            target = Vin.Parse(vin);
        }
        DownlinkCommand? command = null;
        var timeout = dispatcher.Options.ReplyTimeout;
        if (problems.Count == 0)
        {
            CommandRequest.TryRead(body, dispatcher.Options, problems, out command, out timeout);
        }
        if (command is null || problems.Count > 0)
        {
            AuditLog.CommandNotSent(audit, vin, "(invalid request)", "invalid", string.Join("; ", problems.SelectMany(p => p.Value)), caller.KeyId, caller.Name);
            dispatcher.Invalid(command?.Name ?? "unknown");
            return Results.ValidationProblem(problems, "The command is not valid; nothing was sent.");
        }

        var outcome = await dispatcher.SendAsync(target, command, timeout, cancellationToken);
        if (outcome.SentAt is { } sentAt)
        {
            AuditLog.CommandSent(audit, vin, command.Summary, sentAt, outcome.Name, AuditDetail(outcome, timeout), caller.KeyId, caller.Name);
        }
        else
        {
            AuditLog.CommandNotSent(audit, vin, command.Summary, outcome.Name, AuditDetail(outcome, timeout).TrimStart(',', ' '), caller.KeyId, caller.Name);
        }
        return Results.Content(Json(vin, command, outcome, timeout), "application/json", Encoding.UTF8, StatusCode(outcome.Kind));
    }

    public static int StatusCode(CommandOutcomeKind kind) => kind switch
    {
        CommandOutcomeKind.Accepted or CommandOutcomeKind.Refused => StatusCodes.Status200OK,
        CommandOutcomeKind.Timeout => StatusCodes.Status504GatewayTimeout,
        CommandOutcomeKind.Disconnected => StatusCodes.Status502BadGateway,
        CommandOutcomeKind.Offline or CommandOutcomeKind.Busy => StatusCodes.Status409Conflict,
        CommandOutcomeKind.OtherNode => StatusCodes.Status421MisdirectedRequest,
        CommandOutcomeKind.NotSupported => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status499ClientClosedRequest,
    };

    private static string AuditDetail(CommandOutcome outcome, TimeSpan timeout) => outcome.Kind switch
    {
        CommandOutcomeKind.Accepted or CommandOutcomeKind.Refused =>
            $", flag {CommandDispatcher.FlagText(outcome.AnswerHeader)} after {outcome.Latency!.Value.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s",
        CommandOutcomeKind.Timeout => $", no answer within {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s",
        CommandOutcomeKind.OtherNode => $", connected to node {outcome.Node}",
        CommandOutcomeKind.Busy => ", another command to the vehicle is waiting for its answer",
        _ => outcome.Detail is { } detail ? ", " + detail : "",
    };

    private static string Json(string vin, DownlinkCommand command, CommandOutcome outcome, TimeSpan timeout)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, DecodeJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("vin", vin);
            w.WriteString("command", command.Name);
            w.WriteString("command_hex", DecodeJson.Hex(command.CommandId));
            w.WriteString("summary", command.Summary);
            w.WriteString("outcome", outcome.Name);
            Optional(w, "protocol", outcome.Protocol);
            Optional(w, "detail", outcome.Detail);
            Optional(w, "node", outcome.Node);
            if (outcome.LastSeen is { } lastSeen)
            {
                w.WriteString("last_seen", BeijingTime(lastSeen));
            }
            if (outcome.Kind == CommandOutcomeKind.Busy)
            {
                w.WriteString("detail", "another command to this vehicle is waiting for its answer; one at a time, as answers carry no serial");
            }
            if (outcome.SentAt is { } sentAt)
            {
                w.WriteString("sent_at", BeijingTime(sentAt));
                w.WriteNumber("timeout_s", timeout.TotalSeconds);
            }
            if (outcome.Sent is { } sent)
            {
                w.WriteString("sent_hex", Convert.ToHexString(sent));
            }
            if (outcome.Answer is { } answer)
            {
                w.WriteNumber("latency_s", Math.Round(outcome.Latency!.Value.TotalSeconds, 6));
                w.WriteStartObject("answer");
                w.WriteString("response_flag", CommandDispatcher.FlagText(outcome.AnswerHeader));
                w.WriteBoolean("stored", outcome.AnswerStored);
                w.WriteString("hex", Convert.ToHexString(answer));
                WriteDecoded(w, outcome.AnswerHeader, answer);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The answer decoded as the history and decode tools show frames; a data unit that does not decode is left to "hex".</summary>
    private static void WriteDecoded(Utf8JsonWriter w, in FrameHeader header, byte[] answer)
    {
        var body = new ArrayBufferWriter<byte>(512);
        using (var decoded = new Utf8JsonWriter(body, DecodeJson.WriterOptions))
        {
            if (header.Layout == HeaderLayout.Gb32960)
            {
                // A data unit that does not decode still comes back as a frame with a raw body (a refusal often carries only a time).
                if (!Gb32960Decoder.TryDecode(answer, out var gb, out var error))
                {
                    w.WriteString("decode_error", DecodeJson.ErrorName(error.Kind));
                }
                if (gb is null)
                {
                    return;
                }
                Gb32960JsonWriter.Write(decoded, gb);
            }
            else
            {
                if (!Hj1239Decoder.TryDecode(answer, new Hj1239DecoderOptions { Layout = Hj1239Layout.Hj1239 }, out var hj, out var error))
                {
                    w.WriteString("decode_error", DecodeJson.ErrorName(error.Kind));
                }
                if (hj is null)
                {
                    return;
                }
                Hj1239JsonWriter.Write(decoded, hj);
            }
        }
        using var document = JsonDocument.Parse(body.WrittenMemory);
        w.WritePropertyName("frame");
        document.RootElement.WriteTo(w);
    }

    private static void Optional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static string BeijingTime(DateTimeOffset instant) =>
        instant.ToOffset(GbTime.Offset).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
}
