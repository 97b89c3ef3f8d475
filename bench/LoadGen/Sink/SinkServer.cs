using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Ingest.Protocol.Framing;
using LoadGen.Frames;
using LoadGen.Safety;

namespace LoadGen.Sink;

/// <summary>Where the sink listens and how it answers.</summary>
public sealed record SinkOptions
{
    /// <summary>Loopback address and port; port 0 picks a free one (see <see cref="SinkServer.EndPoint"/>). Default 127.0.0.1:0.</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>Treat HJ-layout frames as GB 17691 Annex Q: frame and count them, answer nothing.</summary>
    public bool AnnexQ { get; init; }

    /// <summary>Largest frame accepted, in bytes. Default 16 KiB, like the server.</summary>
    public int MaxFrameBytes { get; init; } = FramingOptions.DefaultMaxFrameBytes;

    /// <summary>Listen backlog: pending connections the kernel queues during a fast ramp-up. Default 4096.</summary>
    public int ListenBacklog { get; init; } = 4096;
}

/// <summary>Counters of a sink, read at any time.</summary>
public sealed record SinkStats(long ConnectionsAccepted, long ConnectionsOpen, long Frames, long Replies, long SkippedBytes, long BytesReceived, long BytesSent, long AcceptErrors);

/// <summary>
/// The baseline: a bare loopback TCP server that frames what arrives with <see cref="FrameScanner"/> and answers
/// each frame at once exactly as the Ingest server would (same reply shapes, a vehicle logout ends the connection),
/// with no spool, storage or state. Benchmarks compare the real server against it.
/// </summary>
public sealed class SinkServer : IAsyncDisposable
{
    private readonly SinkOptions _options;
    private readonly FramingOptions _framing;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, Socket> _connections = new();
    private readonly Task _acceptLoop;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _connectionCount;
    private long _accepted;
    private long _frames;
    private long _replies;
    private long _skipped;
    private long _bytesIn;
    private long _bytesOut;
    private int _active;
    private long _acceptErrors;

    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(50);

    private SinkServer(SinkOptions options)
    {
        LoopbackGuard.Require(options.EndPoint, "sink address");
        _options = options;
        _framing = new FramingOptions { MaxFrameBytes = options.MaxFrameBytes };
        _listener = new Socket(options.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(options.EndPoint);
        _listener.Listen(options.ListenBacklog);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Starts listening at once; dispose to stop.</summary>
    public static SinkServer Start(SinkOptions options) => new(options);

    public SinkStats Stats() => new(
        Interlocked.Read(ref _accepted), _connections.Count, Interlocked.Read(ref _frames), Interlocked.Read(ref _replies),
        Interlocked.Read(ref _skipped), Interlocked.Read(ref _bytesIn), Interlocked.Read(ref _bytesOut), Interlocked.Read(ref _acceptErrors));

    private async Task AcceptLoopAsync()
    {
        Interlocked.Increment(ref _active);
        try
        {
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
                    // A connection reset while queued, or no descriptor left (ulimit -n): pause so a full table
                    // does not turn this loop into a spin, then keep accepting.
                    Interlocked.Increment(ref _acceptErrors);
                    await Task.Delay(AcceptRetryDelay);
                    continue;
                }
                socket.NoDelay = true;
                long id = Interlocked.Increment(ref _connectionCount);
                Interlocked.Increment(ref _accepted);
                _connections[id] = socket;
                Interlocked.Increment(ref _active);
                _ = ServeAsync(id, socket);
            }
        }
        finally
        {
            Leave();
        }
    }

    private async Task ServeAsync(long id, Socket socket)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true));
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        byte[]? scratch = null;
        try
        {
            bool loggedOut = false;
            while (!loggedOut)
            {
                var result = await input.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                Interlocked.Add(ref _bytesIn, buffer.Length);
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
                        Interlocked.Increment(ref _frames);
                        replied |= Answer(scan.Header, buffer.Slice(0, scan.Length), output, ref scratch);
                        loggedOut = scan.Header.Command == Commands.Logout && scan.Header.IsCommand;
                    }
                    buffer = buffer.Slice(scan.Length);
                    if (loggedOut)
                    {
                        break;
                    }
                }
                if (replied)
                {
                    await output.FlushAsync(_stop.Token);
                }
                input.AdvanceTo(buffer.Start, result.Buffer.End);
                Interlocked.Add(ref _bytesIn, -buffer.Length); // counted again with the next read
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
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
            await input.CompleteAsync();
            await output.CompleteAsync();
            await stream.DisposeAsync();
            _connections.TryRemove(id, out _);
            Leave();
        }
    }

    private bool Answer(in FrameHeader header, in ReadOnlySequence<byte> frame, PipeWriter output, ref byte[]? scratch)
    {
        var kind = ReplyFrames.ForTerminal(header, _options.AnnexQ);
        if (kind == ReplyKind.None)
        {
            return false;
        }
        ReadOnlySpan<byte> request = default;
        if (kind == ReplyKind.EchoWithTime)
        {
            if (frame.IsSingleSegment)
            {
                request = frame.FirstSpan;
            }
            else
            {
                if (scratch is null || scratch.Length < frame.Length)
                {
                    if (scratch is not null)
                    {
                        ArrayPool<byte>.Shared.Return(scratch);
                    }
                    scratch = ArrayPool<byte>.Shared.Rent((int)frame.Length);
                }
                frame.CopyTo(scratch);
                request = scratch.AsSpan(0, (int)frame.Length);
            }
        }
        var span = output.GetSpan(ReplyFrames.MaxLength((int)frame.Length));
        int written = ReplyFrames.Write(kind, header, request, DateTimeOffset.UtcNow, span);
        output.Advance(written);
        Interlocked.Increment(ref _replies);
        Interlocked.Add(ref _bytesOut, written);
        return true;
    }

    private void Leave()
    {
        if (Interlocked.Decrement(ref _active) == 0)
        {
            _drained.TrySetResult();
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
            await _drained.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A connection loop still unwinding after its socket was closed; nothing more to wait for.
        }
    }
}
