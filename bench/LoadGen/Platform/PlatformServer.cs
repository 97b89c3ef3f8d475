using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;
using LoadGen.Frames;
using LoadGen.Safety;
using LoadGen.Sink;

namespace LoadGen.Platform;

/// <summary>How the simulated superior platform behaves.</summary>
public sealed record PlatformOptions
{
    /// <summary>Loopback address and port; port 0 picks a free one. Default 127.0.0.1:0.</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>Result flag answered to a platform login 0x05: 0x01 success (default), 0x02 error, or another failure code.</summary>
    public byte LoginResult { get; init; } = Gb32960ResponseFlags.Success;

    /// <summary>When set, a login with another user name is answered 0x02.</summary>
    public string? Username { get; init; }

    /// <summary>When set, a login with another password is answered 0x02.</summary>
    public string? Password { get; init; }

    /// <summary>Answer every relayed frame (flag 0x01 with the time); by default relayed frames get no reply.</summary>
    public bool ReplyPerFrame { get; init; }

    /// <summary>Where the record is written periodically and on stop; null: not written.</summary>
    public string? RecordPath { get; init; }

    /// <summary>How often the record file is rewritten while running. Default 1 s.</summary>
    public TimeSpan RecordInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest frame accepted, in bytes. Default the protocol maximum.</summary>
    public int MaxFrameBytes { get; init; } = FrameHeader.Overhead + FrameHeader.MaxDataLength;
}

/// <summary>
/// The simulated superior (national or local) platform: accepts a GB/T 32960 platform login 0x05 and answers it
/// with the configured result, answers heartbeats and platform logout, takes relayed vehicle frames byte for byte
/// (optionally answering each), and counts them per VIN and command. The record is written to a JSON file
/// periodically and when the platform stops.
/// </summary>
public sealed class PlatformServer : IAsyncDisposable
{
    private const int PlatformLoginLength = 41;

    private readonly PlatformOptions _options;
    private readonly FramingOptions _framing;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, Socket> _connections = new();
    private readonly ConcurrentDictionary<Vin, long[]> _vins = new();
    private readonly long[] _commands = new long[256];
    private readonly Task _acceptLoop;
    private readonly Task _recordLoop;
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private long _connectionCount;
    private long _loginsAccepted;
    private long _loginsRejected;
    private long _logouts;
    private long _heartbeats;
    private long _frames;
    private long _framesBeforeLogin;
    private long _bytes;
    private long _skipped;
    private long _replies;

    private PlatformServer(PlatformOptions options)
    {
        LoopbackGuard.Require(options.EndPoint, "platform address");
        _options = options;
        _framing = new FramingOptions { MaxFrameBytes = options.MaxFrameBytes, AllowCustomCommands = true };
        _listener = new Socket(options.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(options.EndPoint);
        _listener.Listen(512);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
        _recordLoop = options.RecordPath is null ? Task.CompletedTask : RecordLoopAsync(options.RecordPath);
    }

    public IPEndPoint EndPoint { get; }

    public static PlatformServer Start(PlatformOptions options) => new(options);

    public PlatformRecord Snapshot()
    {
        var commands = new Dictionary<string, long>();
        for (int c = 0; c < 256; c++)
        {
            long n = Interlocked.Read(ref _commands[c]);
            if (n != 0)
            {
                commands[PlatformRecord.CommandKey((byte)c)] = n;
            }
        }
        var vins = new SortedDictionary<string, IReadOnlyDictionary<string, long>>(StringComparer.Ordinal);
        foreach (var (vin, perCommand) in _vins)
        {
            var counts = new Dictionary<string, long>();
            for (int c = 0; c < perCommand.Length; c++)
            {
                long n = Interlocked.Read(ref perCommand[c]);
                if (n != 0)
                {
                    counts[PlatformRecord.CommandKey((byte)c)] = n;
                }
            }
            vins[vin.ToString()] = counts;
        }
        return new PlatformRecord
        {
            StartedAt = _startedAt,
            WrittenAt = DateTimeOffset.UtcNow,
            EndPoint = EndPoint.ToString(),
            Connections = Interlocked.Read(ref _connectionCount),
            LoginsAccepted = Interlocked.Read(ref _loginsAccepted),
            LoginsRejected = Interlocked.Read(ref _loginsRejected),
            Logouts = Interlocked.Read(ref _logouts),
            Heartbeats = Interlocked.Read(ref _heartbeats),
            Frames = Interlocked.Read(ref _frames),
            FramesBeforeLogin = Interlocked.Read(ref _framesBeforeLogin),
            Bytes = Interlocked.Read(ref _bytes),
            SkippedBytes = Interlocked.Read(ref _skipped),
            RepliesSent = Interlocked.Read(ref _replies),
            Commands = commands,
            Vins = vins,
        };
    }

    private async Task AcceptLoopAsync()
    {
        var serving = new List<Task>();
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50)); // no descriptor left or a reset in the queue: no spin
                continue;
            }
            socket.NoDelay = true;
            long id = Interlocked.Increment(ref _connectionCount);
            _connections[id] = socket;
            serving.Add(ServeAsync(id, socket));
            serving.RemoveAll(t => t.IsCompleted);
        }
        await Task.WhenAll(serving);
    }

    private async Task ServeAsync(long id, Socket socket)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        var link = new LinkState();
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                bool replied = false;
                while (true)
                {
                    var scan = FrameScanner.Scan(buffer, _framing);
                    if (scan.Status == FrameScanStatus.NeedMoreData)
                    {
                        break;
                    }
                    if (scan.Status == FrameScanStatus.Skip)
                    {
                        Interlocked.Add(ref _skipped, scan.Length);
                    }
                    else
                    {
                        Interlocked.Add(ref _bytes, scan.Length);
                        var frame = buffer.Slice(0, scan.Length);
                        replied |= Handle(scan.Header, frame.IsSingleSegment ? frame.FirstSpan : frame.ToArray(), output, link);
                    }
                    buffer = buffer.Slice(scan.Length);
                }
                if (replied)
                {
                    await output.FlushAsync(_stop.Token);
                }
                input.AdvanceTo(buffer.Start, result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            await input.CompleteAsync();
            await output.CompleteAsync();
            await stream.DisposeAsync();
            _connections.TryRemove(id, out _);
        }
    }

    /// <returns>True when a reply was written.</returns>
    private bool Handle(in FrameHeader header, ReadOnlySpan<byte> frame, PipeWriter output, LinkState link)
    {
        bool platformCommand = header.Layout == HeaderLayout.Gb32960 && header.ResponseFlag == Gb32960ResponseFlags.Command;
        var now = GbTime.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var reply = output.GetSpan(ReplyFrames.MaxLength(0));
        int written;
        if (platformCommand && header.Command == Commands.PlatformLogin)
        {
            byte result = LoginVerdict(frame);
            link.LoggedIn = result == Gb32960ResponseFlags.Success;
            Interlocked.Increment(ref link.LoggedIn ? ref _loginsAccepted : ref _loginsRejected);
            // The login is not echoed: it holds the password.
            written = Gb32960Replies.PlatformLoginReply(header, result, now, reply);
        }
        else if (platformCommand && header.Command == Commands.PlatformLogout)
        {
            link.LoggedIn = false;
            Interlocked.Increment(ref _logouts);
            written = Gb32960Replies.Acknowledgement(header, Gb32960ResponseFlags.Success, now, reply);
        }
        else if (platformCommand && header.Command == Commands.Heartbeat)
        {
            Interlocked.Increment(ref _heartbeats);
            written = Gb32960Replies.HeartbeatReply(header, reply);
        }
        else
        {
            Record(header, link);
            if (!_options.ReplyPerFrame)
            {
                return false;
            }
            written = header.Layout == HeaderLayout.Hj1239
                ? Hj1239Replies.WriteReply(reply, header, now)
                : Gb32960Replies.Acknowledgement(header, Gb32960ResponseFlags.Success, now, reply);
        }
        output.Advance(written);
        Interlocked.Increment(ref _replies);
        return true;
    }

    /// <summary>Counts a relayed vehicle frame per VIN and command.</summary>
    private void Record(in FrameHeader header, LinkState link)
    {
        Interlocked.Increment(ref _frames);
        Interlocked.Increment(ref _commands[header.Command]);
        var perCommand = _vins.GetOrAdd(header.Vin, static _ => new long[256]);
        Interlocked.Increment(ref perCommand[header.Command]);
        if (!link.LoggedIn)
        {
            Interlocked.Increment(ref _framesBeforeLogin);
        }
    }

    /// <summary>The configured result, or 0x02 when credentials are configured and the login's differ.</summary>
    private byte LoginVerdict(ReadOnlySpan<byte> frame)
    {
        var data = frame[FrameHeader.Size..^1];
        if (data.Length < PlatformLoginLength)
        {
            return Gb32960ResponseFlags.Error;
        }
        string username = Encoding.ASCII.GetString(data.Slice(8, 12)).TrimEnd('\0', ' ');
        string password = Encoding.ASCII.GetString(data.Slice(20, 20)).TrimEnd('\0', ' ');
        if ((_options.Username is { } u && u != username) || (_options.Password is { } p && p != password))
        {
            return Gb32960ResponseFlags.Error;
        }
        return _options.LoginResult;
    }

    private async Task RecordLoopAsync(string path)
    {
        using var timer = new PeriodicTimer(_options.RecordInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Snapshot().WriteTo(path);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        _stop.Cancel();
        _listener.Dispose();
        foreach (var socket in _connections.Values)
        {
            socket.Dispose();
        }
        try
        {
            await Task.WhenAll(_acceptLoop, _recordLoop).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }
        if (_options.RecordPath is { } path)
        {
            Snapshot().WriteTo(path);
        }
    }

    private sealed class LinkState
    {
        public bool LoggedIn;
    }
}
