using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ingest.Protocol.Framing;
using LoadGen.Frames;
using LoadGen.Vehicles;
using ScenarioProbe.Cli;

namespace ScenarioProbe.Freshness;

/// <summary>
/// `freshness`: one GB/T 32960 probe terminal logs in to the server and sends a realtime frame every interval, one
/// at a time, noting when each is acknowledged; a poller counts the probe VIN's rows in &lt;db&gt;.frames_raw every
/// poll interval. Freshness = first answer showing the row minus the acknowledgement.
/// `freshness-direct`: the same poller against rows inserted straight into ClickHouse over HTTP, one per interval:
/// the floor the database and the measurement give.
/// </summary>
public static class FreshnessCommand
{
    public static async Task<int> RunAsync(Args args, bool direct)
    {
        var clickHouse = args.LoopbackUrl("clickhouse");
        string database = args.Required("database");
        var duration = args.Duration("duration", TimeSpan.FromSeconds(20));
        var interval = args.Duration("interval", TimeSpan.FromMilliseconds(200));
        var poll = args.Duration("poll", TimeSpan.FromMilliseconds(25));
        var settle = args.Duration("settle", TimeSpan.FromSeconds(15));
        var target = direct ? null : args.Endpoint("target");
        int seed = args.Int("seed", 99);
        args.ThrowIfUnused();
        if (!LoadGen.Checks.ClickHouseCheck.IsPlainIdentifier(database))
        {
            throw new ArgumentException($"--database: '{database}' is not a plain name.");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var counter = new ClickHouseCounter(http, clickHouse);
        using var cts = new CancellationTokenSource(duration + settle + TimeSpan.FromSeconds(30));
        FreshnessResult result;
        if (direct)
        {
            result = await RunDirectAsync(counter, database, duration, interval, poll, settle, cts.Token);
        }
        else
        {
            result = await RunProbeAsync(counter, target!, database, seed, duration, interval, poll, settle, cts.Token);
        }
        JsonOut.Write(result);
        return result.RowsNeverVisible == 0 && result.RowsTracked > 0 ? 0 : 2;
    }

    private static async Task<FreshnessResult> RunDirectAsync(ClickHouseCounter counter, string database, TimeSpan duration, TimeSpan interval,
        TimeSpan poll, TimeSpan settle, CancellationToken cancellationToken)
    {
        string table = $"{database}.freshness_probe";
        await counter.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {database}", cancellationToken);
        await counter.ExecuteAsync($"DROP TABLE IF EXISTS {table}", cancellationToken);
        await counter.ExecuteAsync($"CREATE TABLE {table} (k UInt32, t DateTime) ENGINE = MergeTree ORDER BY k", cancellationToken);
        var tracker = new VisibilityTracker();
        using var stopPolling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var poller = PollAsync(counter, $"SELECT count() FROM {table}", tracker, poll, stopPolling.Token);
        var end = Stopwatch.GetTimestamp() + Ticks(duration);
        for (int k = 1; Stopwatch.GetTimestamp() < end; k++)
        {
            await counter.ExecuteAsync($"INSERT INTO {table} VALUES ({k}, now())", cancellationToken);
            tracker.Acked(Stopwatch.GetTimestamp());
            await Task.Delay(interval, cancellationToken);
        }
        await WaitVisibleAsync(tracker, settle, cancellationToken);
        await stopPolling.CancelAsync();
        await poller;
        await counter.ExecuteAsync($"DROP TABLE IF EXISTS {table}", cancellationToken);
        return tracker.Result("insert over HTTP returned -> row counted (bare ClickHouse)", interval, poll);
    }

    private static async Task<FreshnessResult> RunProbeAsync(ClickHouseCounter counter, IPEndPoint target, string database, int seed,
        TimeSpan duration, TimeSpan interval, TimeSpan poll, TimeSpan settle, CancellationToken cancellationToken)
    {
        string vin = VinGenerator.ForSeed(seed).Create(0);
        var frames = TerminalFrames.Build(TerminalProtocol.Gb2016, vin, new FrameShape(), seed);
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target, cancellationToken);
        var replies = new ReplyReader(socket);

        // The login is stored too: it is row 1, data frame k is row k + 1.
        frames.Login.Stamp(DateTimeOffset.UtcNow, 1);
        await socket.SendAsync(frames.Login.Memory, cancellationToken);
        await replies.ExpectAsync(Commands.Login, cancellationToken);

        var tracker = new VisibilityTracker { Offset = 1 };
        string sql = $"SELECT count() FROM {database}.frames_raw WHERE vin = '{vin}'";
        using var stopPolling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var poller = PollAsync(counter, sql, tracker, poll, stopPolling.Token);
        var end = Stopwatch.GetTimestamp() + Ticks(duration);
        for (int serial = 1; Stopwatch.GetTimestamp() < end; serial++)
        {
            var now = DateTimeOffset.UtcNow;
            frames.Data.Stamp(Commands.Realtime, now, now, serial);
            await socket.SendAsync(frames.Data.Memory, cancellationToken);
            await replies.ExpectAsync(Commands.Realtime, cancellationToken);
            tracker.Acked(Stopwatch.GetTimestamp());
            await Task.Delay(interval, cancellationToken);
        }
        await WaitVisibleAsync(tracker, settle, cancellationToken);
        await stopPolling.CancelAsync();
        await poller;
        frames.Logout.Stamp(DateTimeOffset.UtcNow, 1);
        await socket.SendAsync(frames.Logout.Memory, cancellationToken);
        return tracker.Result($"realtime frame acknowledged -> row in {database}.frames_raw counted (vin {vin})", interval, poll);
    }

    private static async Task PollAsync(ClickHouseCounter counter, string sql, VisibilityTracker tracker, TimeSpan poll, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            long sent = Stopwatch.GetTimestamp();
            try
            {
                var (count, answered) = await counter.CountAsync(sql, cancellationToken);
                tracker.Observed(count, sent, answered);
            }
            catch (HttpRequestException ex)
            {
                // The table appears with the sink's first migration; until then the count query fails.
                Console.Error.WriteLine($"poll: {ex.Message.Split('\n')[0]}");
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await Task.Delay(poll, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task WaitVisibleAsync(VisibilityTracker tracker, TimeSpan settle, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + Ticks(settle);
        while (!tracker.AllVisible && Stopwatch.GetTimestamp() < end)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Reads reply frames off the probe's socket, one at a time.</summary>
    internal sealed class ReplyReader(Socket socket)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _filled;

        public async Task ExpectAsync(byte command, CancellationToken cancellationToken)
        {
            while (true)
            {
                var scan = FrameScanner.Scan(_buffer.AsSpan(0, _filled), FramingOptions.Default);
                if (scan.Status != FrameScanStatus.NeedMoreData)
                {
                    int length = scan.Length;
                    bool match = scan.Status == FrameScanStatus.Frame && scan.Header.Command == command;
                    byte flag = scan.Header.ResponseFlag;
                    _buffer.AsSpan(length, _filled - length).CopyTo(_buffer);
                    _filled -= length;
                    if (!match)
                    {
                        continue;
                    }
                    if (flag != Gb32960ResponseFlags.Success)
                    {
                        throw new InvalidOperationException($"The server answered command 0x{command:X2} with flag 0x{flag:X2}.");
                    }
                    return;
                }
                int read = await socket.ReceiveAsync(_buffer.AsMemory(_filled), cancellationToken);
                if (read == 0)
                {
                    throw new IOException("The server closed the probe's connection.");
                }
                _filled += read;
            }
        }
    }
}
