using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Ingest.Protocol.Framing;

namespace Ingest.Tests.Support;

/// <summary>A terminal over a real loopback socket: sends raw bytes, reads whole reply frames with the product's framer.</summary>
public sealed class TestTerminal : IAsyncDisposable
{
    private static readonly FramingOptions Framing = new() { MaxFrameBytes = 65556 };
    private readonly Socket _socket;
    private byte[] _pending = [];

    private TestTerminal(Socket socket) => _socket = socket;

    public static async Task<TestTerminal> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new TestTerminal(socket);
    }

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Sends <paramref name="bytes"/> in pieces of <paramref name="pieceSize"/> with a pause between, so TCP delivers half frames.</summary>
    public async Task SendInPiecesAsync(byte[] bytes, int pieceSize, TimeSpan pause)
    {
        for (int i = 0; i < bytes.Length; i += pieceSize)
        {
            await _socket.SendAsync(bytes.AsMemory(i, Math.Min(pieceSize, bytes.Length - i)), SocketFlags.None);
            await Task.Delay(pause);
        }
    }

    /// <summary>The next whole frame from the server, or null when none arrives within <paramref name="timeout"/>.</summary>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        while (true)
        {
            var scan = FrameScanner.Scan(_pending, Framing);
            if (scan.Status == FrameScanStatus.Frame)
            {
                var frame = _pending[..scan.Length];
                _pending = _pending[scan.Length..];
                return frame;
            }
            if (scan.Status == FrameScanStatus.Skip)
            {
                throw new InvalidDataException($"server sent bytes that are not a frame: {scan.Error}");
            }
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            catch (SocketException)
            {
                return null;
            }
            if (n == 0)
            {
                return null;
            }
            _pending = [.. _pending, .. buffer.AsSpan(0, n)];
        }
    }

    /// <summary>True when the server closes the connection within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true; // reset by the server
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
