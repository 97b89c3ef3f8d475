using Ingest.Registry;
using Ingest.Transport;
using System.Buffers;
using System.IO.Pipelines;
using Ingest.Diagnostics;
using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Records;
using Ingest.Sessions;
using Ingest.Spool;
using Ingest.Tests.Infrastructure;
using Ingest.Tests.Spool;
using Ingest.Tests.Support;
using Ingest.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Tests.Sessions;

/// <summary>
/// The session over the real file spool, on in-memory pipes whose input arrives in small segments: the frames of one
/// read go into the spool byte-exact straight from the pipe, and their replies leave in one flush, in order.
/// </summary>
public class AcknowledgementPathTests
{
    private const string Vin = "LZYTUGEW5G1059545";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(4096)]
    public async Task The_frames_of_one_read_are_stored_byte_exact_and_answered_in_order_with_one_flush(int segmentSize)
    {
        using var dir = new TempSpoolDirectory();
        await using var spool = FileSpool.Open(dir.Options());
        await using var run = SessionRun.Start(spool, segmentSize);
        byte[][] frames = [Frames.Login(Vin), Frames.Realtime(Vin), Frames.Heartbeat(Vin), Frames.Realtime(Vin)];

        await run.SendInOneReadAsync(frames);
        var replies = await run.ReadRepliesAsync(frames.Length);

        Assert.Equal(1, run.Output.Flushes);
        Assert.Equal(frames.Select(f => Frames.Header(f).Command), replies.Select(r => r.Command));
        Assert.All(replies, r => Assert.False(r.IsCommand)); // answers, not requests
        await using var consumer = spool.OpenConsumer("check");
        var stored = await consumer.ReadAllAsync();
        Assert.Equal(frames.Length, stored.Count);
        for (int i = 0; i < frames.Length; i++)
        {
            Assert.True(FrameEnvelope.TryRead(stored[i].Payload, out var envelope));
            Assert.Equal(frames[i], envelope.Frame.ToArray());
        }
    }

    [Fact]
    public async Task When_the_spool_fills_mid_read_the_committed_frames_are_answered_and_the_others_not()
    {
        using var dir = new TempSpoolDirectory();
        int record = SpoolFormat.RecordBytes(FrameEnvelope.SizeFor(Frames.Realtime(Vin).Length));
        int login = SpoolFormat.RecordBytes(FrameEnvelope.SizeFor(Frames.Login(Vin).Length));
        await using var spool = FileSpool.Open(dir.Options());
        await FileSpoolBatchAppendTests.FillUntilRoomLeftAsync(spool, login + (2 * record) + 10);
        long before = spool.GetStats().NextOffset;
        await using var run = SessionRun.Start(spool, segmentSize: 64);
        byte[][] frames = [Frames.Login(Vin), Frames.Realtime(Vin), Frames.Realtime(Vin), Frames.Realtime(Vin), Frames.Realtime(Vin)];

        await run.SendInOneReadAsync(frames);
        var replies = await run.ReadRepliesAsync(3);

        Assert.Equal([0x01, 0x02, 0x02], replies.Select(r => r.Command));
        Assert.Equal(3, await ReadCountAsync(spool, before));
        Assert.Equal(1, run.Output.Flushes);
        run.EndInput();
        await run.Session.WaitAsync(Wait);
        Assert.Empty(await run.ReadRemainingRepliesAsync()); // the refused frames were never answered
    }

    private static async Task<int> ReadCountAsync(FileSpool spool, long from)
    {
        await using var consumer = spool.OpenConsumer("count");
        return (await consumer.ReadAllAsync(100_000)).Count(r => r.Offset >= from);
    }

    /// <summary>One session of the real handler on in-memory pipes, the output counting its flushes.</summary>
    private sealed class SessionRun : IAsyncDisposable
    {
        private readonly Pipe _fromTerminal;
        private readonly Pipe _toTerminal;
        private readonly TestMeterFactory _meters = new();
        private readonly ListenerRuntime _listener;
        private bool _inputEnded;

        private SessionRun(IFrameSpool spool, int segmentSize)
        {
            var options = new PipeOptions(minimumSegmentSize: segmentSize, pauseWriterThreshold: 0, useSynchronizationContext: false);
            _fromTerminal = new Pipe(options);
            _toTerminal = new Pipe(new PipeOptions(useSynchronizationContext: false));
            Output = new CountingWriter(_toTerminal.Writer);
            var connection = new DefaultConnectionContext("ack-path",
                transport: new Duplex(_fromTerminal.Reader, Output),
                application: new Duplex(_toTerminal.Reader, _fromTerminal.Writer));
            // An open port: this test is about the append and reply path, not about who may report.
            _listener = new ListenerRuntime(new ListenerOptions { Name = "test", Port = 1, Protocol = ListenerProtocol.Gb32960 },
                ConnectionBudget.Derive(null), AdmissionPolicy.Open);
            var sessions = new SessionRegistry();
            var registry = VehicleRegistry.Open(new RegistryFile(Path.Combine(Path.GetTempPath(), "ingest-tests", Guid.NewGuid().ToString("N"), "registry.json")));
            var admission = new AdmissionGate(registry, sessions, new RateLimiter(new RateLimitOptions { Enabled = false }, TimeProvider.System),
                new AdmissionMetrics(_meters), TimeProvider.System, NullLogger<AdmissionGate>.Instance);
            var handler = new TerminalConnectionHandler(spool, sessions, new ReplyWriter(TimeProvider.System),
                new IngestMetrics(_meters), TimeProvider.System, FrameBufferPool.Shared, NullLogger<TerminalConnectionHandler>.Instance, admission);
            Session = Task.Run(() => handler.HandleAsync(connection, _listener));
        }

        public CountingWriter Output { get; }

        public Task Session { get; }

        public static SessionRun Start(IFrameSpool spool, int segmentSize) => new(spool, segmentSize);

        /// <summary>Writes all frames and flushes once: the session sees them in one read, over several pipe segments.</summary>
        public async Task SendInOneReadAsync(byte[][] frames)
        {
            foreach (var frame in frames)
            {
                // Written piecewise so the pipe lays the bytes across its small segments.
                for (int at = 0; at < frame.Length; at += 5)
                {
                    _fromTerminal.Writer.Write(frame.AsSpan(at, Math.Min(5, frame.Length - at)));
                }
            }
            await _fromTerminal.Writer.FlushAsync();
        }

        public void EndInput()
        {
            if (!_inputEnded)
            {
                _inputEnded = true;
                _fromTerminal.Writer.Complete();
            }
        }

        public async Task<List<FrameHeader>> ReadRepliesAsync(int count)
        {
            var replies = new List<FrameHeader>();
            using var timeout = new CancellationTokenSource(Wait);
            while (true)
            {
                var result = await _toTerminal.Reader.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                while (replies.Count < count && FrameScanner.Scan(buffer, _listener.Framing) is { Status: FrameScanStatus.Frame } scan)
                {
                    replies.Add(scan.Header);
                    buffer = buffer.Slice(scan.Length);
                }
                _toTerminal.Reader.AdvanceTo(buffer.Start, buffer.End);
                if (replies.Count == count || result.IsCompleted)
                {
                    return replies;
                }
            }
        }

        /// <summary>Replies written after the ones read so far, once the session has ended.</summary>
        public async Task<List<FrameHeader>> ReadRemainingRepliesAsync()
        {
            await Output.CompleteAsync();
            return await ReadRepliesAsync(int.MaxValue);
        }

        public async ValueTask DisposeAsync()
        {
            EndInput();
            await Session.WaitAsync(Wait);
            _meters.Dispose();
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }

    /// <summary>A pipe writer that counts its flushes: one per read's replies is the contract.</summary>
    internal sealed class CountingWriter(PipeWriter inner) : PipeWriter
    {
        private int _flushes;

        public int Flushes => Volatile.Read(ref _flushes);

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _flushes);
            return inner.FlushAsync(cancellationToken);
        }
    }
}
