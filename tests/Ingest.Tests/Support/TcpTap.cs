using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Ingest.Protocol.Framing;

namespace Ingest.Tests.Support;

/// <summary>
/// A recording TCP relay in front of a server (here: the simulated superior platform): clients connect to
/// <see cref="Port"/>, every byte is passed on both ways, and what the clients sent is kept per connection once it
/// has been written to the server. <see cref="Stop"/> closes the port and every connection (the platform is gone);
/// <see cref="Restart"/> listens on the same port again, in front of a possibly new server.
/// </summary>
public sealed class TcpTap : IAsyncDisposable
{
    private static readonly FramingOptions AnyFrame = new() { MaxFrameBytes = FrameHeader.Overhead + FrameHeader.MaxDataLength, AllowCustomCommands = true };

    private readonly ConcurrentDictionary<int, Connection> _connections = new();
    private readonly List<Connection> _all = [];
    private IPEndPoint _upstream;
    private Socket? _listener;
    private CancellationTokenSource _stop = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _nextId;

    private TcpTap(IPEndPoint upstream) => _upstream = upstream;

    public int Port { get; private set; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections
    {
        get
        {
            lock (_all)
            {
                return _all.Count;
            }
        }
    }

    public static TcpTap Start(IPEndPoint upstream)
    {
        var tap = new TcpTap(upstream);
        tap.Listen(0);
        return tap;
    }

    /// <summary>Closes the port and every connection through it.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        _listener?.Dispose();
        foreach (var connection in _connections.Values)
        {
            connection.Close();
        }
        await _acceptLoop;
        await Task.WhenAll(_connections.Values.Select(c => c.Pumps));
    }

    /// <summary>Listens on the same port again, passing connections to <paramref name="upstream"/>.</summary>
    public void Restart(IPEndPoint upstream)
    {
        _upstream = upstream;
        _stop = new CancellationTokenSource();
        Listen(Port);
    }

    /// <summary>
    /// The whole frames clients sent, in order: connection by connection (a client's connections follow each other),
    /// each connection's bytes framed on their own so that a frame cut off by a dropped link is not counted.
    /// </summary>
    /// <param name="fromConnection">Leave out the connections before this one (0-based, in order of acceptance).</param>
    public List<byte[]> ClientFrames(int fromConnection = 0)
    {
        List<Connection> connections;
        lock (_all)
        {
            connections = [.. _all.Skip(fromConnection)];
        }
        var frames = new List<byte[]>();
        foreach (var connection in connections)
        {
            var bytes = connection.Sent();
            int at = 0;
            while (true)
            {
                var scan = FrameScanner.Scan(bytes.AsSpan(at), AnyFrame);
                if (scan.Status == FrameScanStatus.NeedMoreData)
                {
                    break;
                }
                if (scan.Status == FrameScanStatus.Frame)
                {
                    frames.Add(bytes.AsSpan(at, scan.Length).ToArray());
                }
                at += scan.Length;
            }
        }
        return frames;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private void Listen(int port)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(16);
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync(listener, _stop.Token);
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await server.ConnectAsync(_upstream, stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                server.Dispose();
                client.Dispose();
                continue;
            }
            client.NoDelay = true;
            var connection = new Connection(client, server);
            int id = Interlocked.Increment(ref _nextId);
            _connections[id] = connection;
            lock (_all)
            {
                _all.Add(connection);
            }
            connection.Pumps = Task.WhenAll(
                connection.PumpAsync(client, server, record: true),
                connection.PumpAsync(server, client, record: false))
                .ContinueWith(_ => _connections.TryRemove(id, out var _), TaskScheduler.Default);
        }
    }

    private sealed class Connection(Socket client, Socket server)
    {
        private readonly MemoryStream _sent = new();

        public Task Pumps { get; set; } = Task.CompletedTask;

        public byte[] Sent()
        {
            lock (_sent)
            {
                return _sent.ToArray();
            }
        }

        public void Close()
        {
            client.Dispose();
            server.Dispose();
        }

        /// <summary>Copies one direction until either side ends, then closes both.</summary>
        public async Task PumpAsync(Socket from, Socket to, bool record)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    int n = await from.ReceiveAsync(buffer, SocketFlags.None);
                    if (n == 0)
                    {
                        break;
                    }
                    int sent = 0;
                    while (sent < n)
                    {
                        sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None);
                    }
                    if (record)
                    {
                        lock (_sent)
                        {
                            _sent.Write(buffer, 0, n);
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // One side went away.
            }
            Close();
        }
    }
}
