using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ingest.Protocol.Framing;
using LoadGen.Fleet;
using LoadGen.Frames;
using LoadGen.Vehicles;
using ScenarioProbe.Cli;

namespace ScenarioProbe.Storm;

/// <summary>What a connect storm measured, seen from the terminals.</summary>
public sealed record StormResult(
    int Terminals,
    int WarmUpTerminals,
    long LoginsAcknowledged,
    long LoginsRejected,
    double SecondsToHalf,
    double SecondsToNinetyPercent,
    double SecondsToAll,
    double LoginsPerSecond,
    bool AllLoggedIn,
    IReadOnlyDictionary<string, long> Errors,
    PercentileSummary ConnectMs,
    PercentileSummary LoginMs,
    long ConnectsOver900Ms);

/// <summary>
/// `storm`: N terminals connect and send their login at the same moment; the clock starts when the first connect is
/// issued and each login counts when its reply has been read. Everything that is not the storm happens before the
/// clock starts: login frames are built and stamped, sockets are created and bound, and a small warm-up storm (other
/// VINs) has run the code paths once. Logins/s = logins acknowledged / seconds to the last acknowledgement.
/// Connections are held until every login is answered (or the timeout), then closed.
/// </summary>
public static class StormCommand
{
    public static async Task<int> RunAsync(Args args)
    {
        int terminals = args.Int("terminals", 1000);
        int warmUp = args.Int("warm-up", 100);
        var target = args.Endpoint("target");
        var hjTarget = args.OptionalEndpoint("hj1239-target") ?? target;
        var timeout = args.Duration("timeout", TimeSpan.FromSeconds(60));
        string protocols = args.Text("protocols") ?? "gb2016=60,gb2025=20,hj1239=20";
        int seed = args.Int("seed", 1);
        string sources = args.Text("sources") ?? "127.0.0.2";
        args.ThrowIfUnused();
        if (!FleetRunner.TryParseSourceAddresses(sources, out var sourceList, out var sourceError))
        {
            throw new ArgumentException($"--sources: {sourceError}");
        }
        var mix = ProtocolMix.Parse(protocols);

        var warm = Prepare(warmUp, mix, seed + 7919, sourceList, target, hjTarget);
        await StormAsync(warm, timeout);
        Close(warm);

        var storm = Prepare(terminals, mix, seed, sourceList, target, hjTarget);
        var outcome = await StormAsync(storm, timeout);
        Close(storm);

        var acked = storm.Where(t => t.AckedAt > 0).Select(t => (t.AckedAt - outcome.Start) / (double)Stopwatch.Frequency).Order().ToArray();
        double At(double fraction)
        {
            int needed = (int)Math.Ceiling(terminals * fraction);
            return acked.Length >= needed && needed > 0 ? acked[needed - 1] : double.NaN;
        }
        var errors = storm.Where(t => t.Error is not null).GroupBy(t => t.Error!).ToDictionary(g => g.Key, g => (long)g.Count());
        var connectMs = storm.Where(t => t.ConnectedAt > 0).Select(t => (t.ConnectedAt - outcome.Start) * 1000.0 / Stopwatch.Frequency).ToList();
        var loginMs = storm.Where(t => t.AckedAt > 0).Select(t => (t.AckedAt - t.ConnectedAt) * 1000.0 / Stopwatch.Frequency).ToList();
        var result = new StormResult(
            terminals,
            warmUp,
            acked.Length,
            storm.Count(t => t.Error == "login_rejected"),
            At(0.5),
            At(0.9),
            At(1.0),
            acked.Length > 0 ? acked.Length / acked[^1] : 0,
            acked.Length == terminals,
            errors,
            PercentileSummary.Of(connectMs),
            PercentileSummary.Of(loginMs),
            connectMs.Count(ms => ms > 900));
        JsonOut.Write(result);
        return result.AllLoggedIn ? 0 : 2;
    }

    private sealed class StormTerminal(Socket socket, IPEndPoint target, byte[] login, byte command)
    {
        public Socket Socket { get; } = socket;
        public IPEndPoint Target { get; } = target;
        public byte[] Login { get; } = login;
        public byte Command { get; } = command;
        public long ConnectedAt;
        public long AckedAt;
        public string? Error;
    }

    private sealed record StormOutcome(long Start);

    private static List<StormTerminal> Prepare(int count, ProtocolMix mix, int seed, List<IPAddress> sources, IPEndPoint gbTarget, IPEndPoint hjTarget)
    {
        var vins = VinGenerator.ForSeed(seed);
        var protocols = mix.Assign(count, seed);
        var list = new List<StormTerminal>(count);
        var now = DateTimeOffset.UtcNow;
        for (int i = 0; i < count; i++)
        {
            var frames = TerminalFrames.Build(protocols[i], vins.Create(i), new FrameShape(), seed + i);
            frames.Login.Stamp(now, 1);
            var target = protocols[i] == TerminalProtocol.Hj1239 ? hjTarget : gbTarget;
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var source = sources[i % sources.Count];
            if (OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption(0, 24, BitConverter.GetBytes(1)); // IP_BIND_ADDRESS_NO_PORT: the port is chosen at connect
            }
            socket.Bind(new IPEndPoint(source, 0));
            list.Add(new StormTerminal(socket, target, frames.Login.Memory.ToArray(), frames.Login.Command));
        }
        return list;
    }

    private static async Task<StormOutcome> StormAsync(List<StormTerminal> terminals, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        long start = Stopwatch.GetTimestamp();
        var tasks = new Task[terminals.Count];
        for (int i = 0; i < terminals.Count; i++)
        {
            tasks[i] = LoginAsync(terminals[i], cts.Token);
        }
        await Task.WhenAll(tasks);
        return new StormOutcome(start);
    }

    private static async Task LoginAsync(StormTerminal t, CancellationToken cancellationToken)
    {
        try
        {
            await t.Socket.ConnectAsync(t.Target, cancellationToken);
            t.ConnectedAt = Stopwatch.GetTimestamp();
            await t.Socket.SendAsync(t.Login, SocketFlags.None, cancellationToken);
            var buffer = new byte[512];
            int filled = 0;
            while (true)
            {
                int read = await t.Socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    t.Error = "remote_closed";
                    return;
                }
                filled += read;
                if (Answer(buffer.AsSpan(0, filled), t.Command) is { } answered)
                {
                    if (answered)
                    {
                        t.AckedAt = Stopwatch.GetTimestamp();
                    }
                    else
                    {
                        t.Error = "login_rejected";
                    }
                    return;
                }
                if (filled == buffer.Length)
                {
                    t.Error = "malformed_reply";
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            t.Error = t.ConnectedAt == 0 ? "connect_timeout" : "login_timeout";
        }
        catch (SocketException ex)
        {
            t.Error = ex.SocketErrorCode.ToString().ToLowerInvariant();
        }
    }

    /// <summary>True: the login was answered with success (HJ replies carry no flag); false: refused; null: no whole reply yet.</summary>
    private static bool? Answer(ReadOnlySpan<byte> received, byte command)
    {
        while (true)
        {
            var scan = FrameScanner.Scan(received, FramingOptions.Default);
            if (scan.Status == FrameScanStatus.NeedMoreData)
            {
                return null;
            }
            if (scan.Status == FrameScanStatus.Frame && scan.Header.Command == command)
            {
                return scan.Header.Layout == HeaderLayout.Hj1239 || scan.Header.ResponseFlag == Gb32960ResponseFlags.Success;
            }
            received = received[scan.Length..];
        }
    }

    private static void Close(List<StormTerminal> terminals)
    {
        foreach (var t in terminals)
        {
            t.Socket.Dispose();
        }
    }
}
