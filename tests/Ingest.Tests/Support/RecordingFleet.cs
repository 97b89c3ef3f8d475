using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using Ingest.Protocol.Framing;
using LoadGen.Frames;
using LoadGen.Vehicles;

namespace Ingest.Tests.Support;

/// <summary>What one frame of a <see cref="RecordingFleet"/> was and whether the server answered it.</summary>
/// <param name="Sequence">Per VIN, in sending order (0 = the first login).</param>
public sealed record SentFrame(string Vin, TerminalProtocol Protocol, int Sequence, byte[] Bytes, bool Acknowledged)
{
    public byte Command => Bytes[2];

    /// <summary>MD5 of the frame bytes in upper-case hex, as ClickHouse's <c>hex(MD5(frame_bytes))</c> gives it.</summary>
    public string Digest { get; } = Convert.ToHexString(MD5.HashData(Bytes));
}

/// <summary>How a <see cref="RecordingFleet"/> runs.</summary>
public sealed record RecordingFleetOptions
{
    /// <summary>One terminal per entry, speaking that protocol.</summary>
    public required IReadOnlyList<TerminalProtocol> Terminals { get; init; }

    /// <summary>Port of the GB/T 32960 listener (2016 and 2025 terminals).</summary>
    public required int GbPort { get; init; }

    /// <summary>Port of the HJ 1239 listener; 0: HJ terminals use <see cref="GbPort"/> too.</summary>
    public int HjPort { get; init; }

    /// <summary>Pause after each acknowledged data frame. Default 10 ms.</summary>
    public TimeSpan FrameInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Data frames per terminal before it logs out; null: until stopped.</summary>
    public int? DataFramesPerTerminal { get; init; }

    /// <summary>A reply that has not come after this long counts as lost and the terminal reconnects. Default 5 s.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Pause before reconnecting after the link dropped or was refused. Default 100 ms.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Log out when stopped. Default true.</summary>
    public bool Logout { get; init; } = true;

    /// <summary>Smaller realtime frames than the load generator's default keep the tests light.</summary>
    public FrameShape Shape { get; init; } = new() { CellCount = 12, ProbeCount = 4 };
}

/// <summary>
/// Terminals over real sockets that record, frame by frame, what the server acknowledged. Each logs in, then sends
/// data frames one at a time and waits for each reply; every frame is unique (GB: collection time one second later
/// each; HJ: serial and collection time), so a stored copy can be traced to exactly one sent frame. When the link
/// drops (the server was killed, say), the frame in flight is recorded as not acknowledged, never resent, and the
/// terminal reconnects, logs in again and goes on with new frames. Frames come from the load generator's builders.
/// </summary>
public sealed class RecordingFleet : IAsyncDisposable
{
    private readonly RecordingFleetOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<SentFrame> _log = new();
    private readonly Task[] _terminals;
    private long _acknowledged;

    private RecordingFleet(RecordingFleetOptions options)
    {
        _options = options;
        var vins = VinGenerator.ForSeed(Random.Shared.Next());
        Vins = [.. options.Terminals.Select((_, i) => vins.Create(i))];
        _terminals = [.. options.Terminals.Select((protocol, i) => Task.Run(() => RunTerminalAsync(Vins[i], protocol, i)))];
    }

    /// <summary>VIN of each terminal, in the order of <see cref="RecordingFleetOptions.Terminals"/>.</summary>
    public IReadOnlyList<string> Vins { get; }

    /// <summary>Frames acknowledged so far (all commands).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public static RecordingFleet Start(RecordingFleetOptions options) => new(options);

    /// <summary>Every frame whose outcome is known so far, acknowledged or not.</summary>
    public IReadOnlyList<SentFrame> Snapshot() => [.. _log];

    /// <summary>Asks every terminal to finish its frame in flight, log out and close; returns the whole record.</summary>
    public async Task<IReadOnlyList<SentFrame>> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_terminals);
        return Snapshot();
    }

    /// <summary>Waits until every terminal sent its <see cref="RecordingFleetOptions.DataFramesPerTerminal"/> frames and logged out.</summary>
    public async Task<IReadOnlyList<SentFrame>> CompletionAsync(TimeSpan within)
    {
        await Task.WhenAll(_terminals).WaitAsync(within);
        return Snapshot();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_terminals).WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            // A terminal stuck past every bound: the test has already failed or finished.
        }
    }

    private async Task RunTerminalAsync(string vin, TerminalProtocol protocol, int index)
    {
        var frames = TerminalFrames.Build(protocol, vin, _options.Shape, seed: index + 1);
        var state = new TerminalState(vin, protocol, frames);
        int port = protocol.Layout() == HeaderLayout.Hj1239 && _options.HjPort != 0 ? _options.HjPort : _options.GbPort;
        while (!_stop.IsCancellationRequested && !state.Done(_options))
        {
            TestTerminal? link = null;
            try
            {
                link = await TestTerminal.ConnectAsync(port);
            }
            catch (SocketException)
            {
                await PauseAsync(_options.ReconnectDelay);
                continue;
            }
            await using (link)
            {
                if (!await RunConnectionAsync(link, state))
                {
                    await PauseAsync(_options.ReconnectDelay);
                }
            }
        }
    }

    /// <summary>One connection: login, data frames, logout. False when the link failed.</summary>
    private async Task<bool> RunConnectionAsync(TestTerminal link, TerminalState state)
    {
        state.Frames.Login.Stamp(DateTimeOffset.UtcNow, state.NextSerial());
        if (!await SendAndAwaitAsync(link, state, state.Frames.Login.Span.ToArray()))
        {
            return false;
        }
        while (!_stop.IsCancellationRequested && !state.LimitReached(_options))
        {
            var collected = state.NextCollectionTime();
            state.Frames.Data.Stamp(Commands.Realtime, DateTimeOffset.UtcNow, collected, state.NextSerial());
            if (!await SendAndAwaitAsync(link, state, state.Frames.Data.Span.ToArray()))
            {
                return false;
            }
            state.DataFramesSent++;
            await PauseAsync(_options.FrameInterval);
        }
        if (_options.Logout)
        {
            state.Frames.Logout.Stamp(DateTimeOffset.UtcNow, state.NextSerial());
            if (!await SendAndAwaitAsync(link, state, state.Frames.Logout.Span.ToArray()))
            {
                return false;
            }
        }
        state.LoggedOut = true;
        return true;
    }

    private async Task<bool> SendAndAwaitAsync(TestTerminal link, TerminalState state, byte[] frame)
    {
        bool acknowledged = false;
        try
        {
            await link.SendAsync(frame);
            while (await link.ReadFrameAsync(_options.AckTimeout) is { } reply)
            {
                var header = FrameHeader.Read(reply, state.Protocol.Layout());
                if (reply[2] == frame[2] && header.Vin.ToString() == state.Vin
                    && (header.Layout == HeaderLayout.Hj1239 || header.ResponseFlag == Gb32960ResponseFlags.Success))
                {
                    acknowledged = true;
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidDataException)
        {
            // The link is gone: the frame counts as not acknowledged.
        }
        _log.Enqueue(new SentFrame(state.Vin, state.Protocol, state.Sequence++, frame, acknowledged));
        if (acknowledged)
        {
            Interlocked.Increment(ref _acknowledged);
        }
        return acknowledged;
    }

    private async Task PauseAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class TerminalState(string vin, TerminalProtocol protocol, TerminalFrames frames)
    {
        private int _serial;
        private DateTimeOffset _collection = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).AddHours(-1);

        public string Vin { get; } = vin;
        public TerminalProtocol Protocol { get; } = protocol;
        public TerminalFrames Frames { get; } = frames;
        public int Sequence;
        public int DataFramesSent;
        public bool LoggedOut;

        public int NextSerial() => ++_serial;

        /// <summary>One second after the previous frame's: GB realtime frames carry no serial, so the time makes them unique.</summary>
        public DateTimeOffset NextCollectionTime() => _collection = _collection.AddSeconds(1);

        public bool LimitReached(RecordingFleetOptions options) => options.DataFramesPerTerminal is { } limit && DataFramesSent >= limit;

        /// <summary>Logged out, or (without logout) sent every frame it was to send.</summary>
        public bool Done(RecordingFleetOptions options) => LoggedOut || (LimitReached(options) && !options.Logout);
    }
}
