using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ingest.Tests.Infrastructure;

/// <summary>
/// A TCP relay in front of a server (here: ClickHouse's HTTP port) that holds back answers. Once a connection has
/// carried a request containing <c>marker</c>, at most <c>bytesBeforeGate</c> bytes of what the server sends back on
/// it are passed on until <see cref="Open"/>; everything else flows freely. A test sees through it whether a client
/// acts on the first part of an answer before the server has finished sending it.
/// </summary>
public sealed class GatedTcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _upstream;
    private readonly byte[] _marker;
    private readonly long _bytesBeforeGate;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _marked;

    private GatedTcpProxy(Uri upstream, string marker, long bytesBeforeGate)
    {
        _upstream = new IPEndPoint(IPAddress.Parse(upstream.Host == "localhost" ? "127.0.0.1" : upstream.Host), upstream.Port);
        _marker = Encoding.UTF8.GetBytes(marker);
        _bytesBeforeGate = bytesBeforeGate;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Connections that carried a request with the marker (their answers are held).</summary>
    public int MarkedConnections => Volatile.Read(ref _marked);

    public bool IsOpen => _gate.Task.IsCompleted;

    public static GatedTcpProxy Start(Uri upstream, string marker, long bytesBeforeGate) => new(upstream, marker, bytesBeforeGate);

    /// <summary>Lets every held answer through.</summary>
    public void Open() => _gate.TrySetResult();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_connections)
                {
                    _connections.Add(RelayAsync(client));
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var upstream = new TcpClient();
        var marked = new MarkState();
        try
        {
            await upstream.ConnectAsync(_upstream, _stop.Token);
            var up = PumpUpAsync(client.GetStream(), upstream.GetStream(), marked);
            var down = PumpDownAsync(upstream.GetStream(), client.GetStream(), marked);
            await Task.WhenAny(up, down);
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // A side closed.
        }
    }

    private async Task PumpUpAsync(NetworkStream from, NetworkStream to, MarkState state)
    {
        var buffer = new byte[64 * 1024];
        var tail = new List<byte>();
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (!state.Marked)
                {
                    tail.AddRange(buffer.AsSpan(0, n).ToArray());
                    if (tail.ToArray().AsSpan().IndexOf(_marker) >= 0)
                    {
                        state.Marked = true;
                        Interlocked.Increment(ref _marked);
                    }
                    else if (tail.Count > _marker.Length)
                    {
                        tail.RemoveRange(0, tail.Count - _marker.Length);
                    }
                }
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // A side closed.
        }
    }

    private async Task PumpDownAsync(NetworkStream from, NetworkStream to, MarkState state)
    {
        var buffer = new byte[64 * 1024];
        long passed = 0;
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                int offset = 0;
                if (state.Marked && !IsOpen)
                {
                    int allowed = (int)Math.Clamp(_bytesBeforeGate - passed, 0, n);
                    await to.WriteAsync(buffer.AsMemory(0, allowed), _stop.Token);
                    passed += allowed;
                    offset = allowed;
                    if (offset < n)
                    {
                        await _gate.Task.WaitAsync(_stop.Token);
                    }
                }
                await to.WriteAsync(buffer.AsMemory(offset, n - offset), _stop.Token);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // A side closed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Open();
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        await Task.WhenAll(connections);
        _stop.Dispose();
    }

    private sealed class MarkState
    {
        public volatile bool Marked;
    }
}
