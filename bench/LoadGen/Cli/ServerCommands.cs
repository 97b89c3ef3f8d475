using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using LoadGen.Platform;
using LoadGen.Sink;

namespace LoadGen.Cli;

/// <summary>`loadgen platform` and `loadgen sink`: loopback servers that run for a duration or until Ctrl+C.</summary>
internal static class ServerCommands
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static Command Platform()
    {
        var listen = OptionParsers.Create("--listen", "Address to listen on, HOST:PORT (loopback only).", new IPEndPoint(IPAddress.Loopback, 20000), OptionParsers.TryParseEndpoint, "-l");
        var loginResult = OptionParsers.Create("--login-result", "Flag answered to platform login 0x05: 01 success, 02 error, ...", (byte)0x01, OptionParsers.TryParseByte);
        var username = new Option<string?>("--username") { Description = "Expected platform user name; another one is answered 0x02." };
        var password = new Option<string?>("--password") { Description = "Expected platform password; another one is answered 0x02." };
        var replyPerFrame = new Option<bool>("--reply-per-frame") { Description = "Answer every relayed frame (flag 0x01 with the time)." };
        var record = new Option<string?>("--record") { Description = "Write the record (JSON) to this file periodically and on exit." };
        var recordInterval = OptionParsers.Create("--record-interval", "How often the record file is rewritten.", TimeSpan.FromSeconds(1), OptionParsers.TryParseDuration);
        var duration = OptionParsers.Create("--duration", "How long to run (Ctrl+C stops earlier).", TimeSpan.FromHours(1), OptionParsers.TryParseDuration, "-d");
        var json = new Option<bool>("--json") { Description = "Print the final record as JSON on stdout." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress lines." };

        var command = new Command("platform", "Run a simulated superior platform: accepts platform login 0x05, heartbeats and relayed frames, records counts per VIN.");
        foreach (Option option in new Option[] { listen, loginResult, username, password, replyPerFrame, record, recordInterval, duration, json, quiet })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var server = PlatformServer.Start(new PlatformOptions
            {
                EndPoint = parse.GetValue(listen)!,
                LoginResult = parse.GetValue(loginResult),
                Username = parse.GetValue(username),
                Password = parse.GetValue(password),
                ReplyPerFrame = parse.GetValue(replyPerFrame),
                RecordPath = parse.GetValue(record),
                RecordInterval = parse.GetValue(recordInterval),
            });
            bool asJson = parse.GetValue(json);
            var log = asJson ? Console.Error : Console.Out;
            log.WriteLine($"platform listening on {server.EndPoint}{(parse.GetValue(record) is { } path ? $", record {path}" : "")}");
            await RunUntilAsync(parse.GetValue(duration), parse.GetValue(quiet) ? null : log, () =>
            {
                var r = server.Snapshot();
                return string.Create(Invariant, $"connections {r.Connections}  logins {r.LoginsAccepted} ok/{r.LoginsRejected} rejected  heartbeats {r.Heartbeats}  frames {r.Frames:N0}  vins {r.Vins.Count:N0}  skipped {r.SkippedBytes:N0} B");
            }, cancellationToken);
            // The summary first: on SIGTERM the process has only a short grace, and closing connections can take longer.
            var final = server.Snapshot();
            if (asJson)
            {
                Console.Out.WriteLine(final.ToJson());
            }
            else
            {
                Console.Out.WriteLine(string.Create(Invariant, $"platform stopped: {final.Connections} connections, {final.LoginsAccepted} logins accepted, {final.LoginsRejected} rejected, {final.Heartbeats} heartbeats, {final.Frames:N0} frames from {final.Vins.Count:N0} VINs ({final.FramesBeforeLogin:N0} before login)"));
                foreach (var (key, count) in final.Commands)
                {
                    Console.Out.WriteLine(string.Create(Invariant, $"  {key} {count,12:N0}"));
                }
            }
            await server.DisposeAsync(); // writes the record file a last time
            return ExitCodes.Passed;
        });
        return command;
    }

    public static Command Sink()
    {
        var listen = OptionParsers.Create("--listen", "Address to listen on, HOST:PORT (loopback only).", new IPEndPoint(IPAddress.Loopback, 32960), OptionParsers.TryParseEndpoint, "-l");
        var annexQ = new Option<bool>("--annex-q") { Description = "Treat HJ-layout frames as GB 17691 Annex Q: answer nothing." };
        var maxFrame = new Option<int>("--max-frame-bytes") { Description = "Largest frame accepted.", DefaultValueFactory = _ => Ingest.Protocol.Framing.FramingOptions.DefaultMaxFrameBytes };
        var duration = OptionParsers.Create("--duration", "How long to run (Ctrl+C stops earlier).", TimeSpan.FromHours(1), OptionParsers.TryParseDuration, "-d");
        var json = new Option<bool>("--json") { Description = "Print the final counters as JSON on stdout." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress lines." };

        var command = new Command("sink", "Run a bare acknowledging sink: frames each connection with FrameScanner and answers as the server would, nothing else.");
        foreach (Option option in new Option[] { listen, annexQ, maxFrame, duration, json, quiet })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var sink = SinkServer.Start(new SinkOptions
            {
                EndPoint = parse.GetValue(listen)!,
                AnnexQ = parse.GetValue(annexQ),
                MaxFrameBytes = parse.GetValue(maxFrame),
            });
            bool asJson = parse.GetValue(json);
            var log = asJson ? Console.Error : Console.Out;
            log.WriteLine($"sink listening on {sink.EndPoint}");
            long lastFrames = 0;
            await RunUntilAsync(parse.GetValue(duration), parse.GetValue(quiet) ? null : log, () =>
            {
                var s = sink.Stats();
                long rate = s.Frames - lastFrames;
                lastFrames = s.Frames;
                return string.Create(Invariant, $"connections {s.ConnectionsOpen:N0} open/{s.ConnectionsAccepted:N0} accepted  frames {s.Frames:N0} ({rate:N0}/s)  replies {s.Replies:N0}  skipped {s.SkippedBytes:N0} B  accept errors {s.AcceptErrors:N0}");
            }, cancellationToken);
            await sink.DisposeAsync();
            var final = sink.Stats();
            if (asJson)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(final, LoadGenJson.Default.SinkStats));
            }
            else
            {
                Console.Out.WriteLine(string.Create(Invariant, $"sink stopped: {final.ConnectionsAccepted:N0} connections, {final.Frames:N0} frames, {final.Replies:N0} replies, {final.SkippedBytes:N0} bytes skipped"));
            }
            return ExitCodes.Passed;
        });
        return command;
    }

    /// <summary>Waits for the duration or cancellation, printing a status line every second.</summary>
    private static async Task RunUntilAsync(TimeSpan duration, TextWriter? log, Func<string> status, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var end = DateTime.UtcNow + duration;
        try
        {
            while (DateTime.UtcNow < end && await timer.WaitForNextTickAsync(cancellationToken))
            {
                log?.WriteLine(status());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
