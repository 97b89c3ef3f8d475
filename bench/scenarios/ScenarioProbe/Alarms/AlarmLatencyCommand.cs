using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using LoadGen.Frames;
using LoadGen.Vehicles;
using ScenarioProbe.Cli;
using ScenarioProbe.Freshness;

namespace ScenarioProbe.Alarms;

/// <summary>
/// `alarm-latency`: one GB/T 32960 probe terminal logs in and sends realtime frames whose alarm unit alternates
/// between level 3 and level 0, one at a time; each starts or ends a level-3 alarm event. A webhook receiver in this
/// process (the server's Alarms:Webhooks entry points at it) notes when each event phase arrives. Latency = phase
/// received at the webhook minus the frame's acknowledgement received by the terminal, both on this process's clock.
/// </summary>
public static class AlarmLatencyCommand
{
    public static async Task<int> RunAsync(Args args)
    {
        var target = args.Endpoint("target");
        int listen = args.Int("listen", 24050);
        string secret = args.Required("secret");
        var duration = args.Duration("duration", TimeSpan.FromSeconds(30));
        var interval = args.Duration("interval", TimeSpan.FromMilliseconds(100));
        var timeout = args.Duration("timeout", TimeSpan.FromSeconds(10));
        int seed = args.Int("seed", 77);
        args.ThrowIfUnused();

        using var cts = new CancellationTokenSource(duration + timeout + TimeSpan.FromSeconds(30));
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{listen}/");
        listener.Start();
        var posts = Channel.CreateUnbounded<Post>();
        var receiving = ReceiveAsync(listener, Encoding.UTF8.GetBytes(secret), posts.Writer, cts.Token);

        string vin = VinGenerator.ForSeed(seed).Create(0);
        var frames = TerminalFrames.Build(TerminalProtocol.Gb2016, vin, new FrameShape(), seed);
        using var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target, cts.Token);
        var replies = new FreshnessCommand.ReplyReader(socket);
        frames.Login.Stamp(DateTimeOffset.UtcNow, 1);
        await socket.SendAsync(frames.Login.Memory, cts.Token);
        await replies.ExpectAsync(Commands.Login, cts.Token);

        var latencies = new List<double>();
        int mismatched = 0, timedOut = 0, badSignatures = 0;
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (int k = 0; Stopwatch.GetTimestamp() < end; k++)
        {
            bool start = k % 2 == 0;
            await socket.SendAsync(AlarmFrame(vin, start ? (byte)3 : (byte)0), cts.Token);
            await replies.ExpectAsync(Commands.Realtime, cts.Token);
            long acked = Stopwatch.GetTimestamp();
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
            wait.CancelAfter(timeout);
            Post post;
            try
            {
                post = await posts.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cts.IsCancellationRequested)
            {
                timedOut++;
                break; // the pairing of frames and phases is lost: stop measuring
            }
            latencies.Add((post.At - acked) * 1000.0 / Stopwatch.Frequency);
            mismatched += post.Phase == (start ? "start" : "end") ? 0 : 1;
            badSignatures += post.SignatureValid ? 0 : 1;
            await Task.Delay(interval, cts.Token);
        }
        frames.Logout.Stamp(DateTimeOffset.UtcNow, 1);
        await socket.SendAsync(frames.Logout.Memory, cts.Token);
        await cts.CancelAsync();
        listener.Stop();
        await receiving;

        var summary = PercentileSummary.Of(latencies);
        JsonOut.Write(new
        {
            what = $"GB realtime frame acknowledged -> level-3 alarm event phase POSTed to the webhook (vin {vin})",
            unit = "ms",
            latency = summary,
            phase_mismatches = mismatched,
            bad_signatures = badSignatures,
            timed_out = timedOut,
        });
        return mismatched == 0 && timedOut == 0 && badSignatures == 0 && summary.Count > 0 ? 0 : 2;
    }

    /// <summary>A GB/T 32960 (2016) realtime report with only an alarm unit at <paramref name="level"/>.</summary>
    private static byte[] AlarmFrame(string vin, byte level)
    {
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        byte[] data = [(byte)(now.Year - 2000), (byte)now.Month, (byte)now.Day, (byte)now.Hour, (byte)now.Minute, (byte)now.Second,
            0x07, level, 0, 0, 0, 0, 0, 0, 0, 0];
        var header = new FrameHeader(FrameMarker.Hash, HeaderLayout.Gb32960, Commands.Realtime, Gb32960ResponseFlags.Command, Vin.Parse(vin), 0,
            Gb32960Encryption.None, data.Length);
        var frame = new byte[FrameHeader.Overhead + data.Length];
        FrameEncoding.Write(frame, header, data);
        return frame;
    }

    private static async Task ReceiveAsync(HttpListener listener, byte[] secret, ChannelWriter<Post> posts, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            long at = Stopwatch.GetTimestamp();
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, cancellationToken);
            var bytes = body.ToArray();
            string expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, bytes));
            string phase = JsonDocument.Parse(bytes).RootElement.GetProperty("phase").GetString() ?? "";
            posts.TryWrite(new Post(at, phase, context.Request.Headers["X-Alarm-Signature"] == expected));
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    private readonly record struct Post(long At, string Phase, bool SignatureValid);
}
