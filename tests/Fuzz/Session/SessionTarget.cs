using System.Buffers;
using System.IO.Pipelines;
using Ingest.Diagnostics;
using Ingest.Fuzz.Targets;
using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Hj1239;
using Ingest.Records;
using Ingest.Sessions;
using Ingest.Transport;
using Microsoft.AspNetCore.Connections;

namespace Ingest.Fuzz.Session;

/// <summary>
/// Fuzz target <c>session</c>: the real <see cref="TerminalConnectionHandler"/> read loop over an in-memory duplex
/// pipe and a spool that commits at once. No socket, no seam in the session code: the input pipe uses inline
/// schedulers, so each write runs the handler's loop to its next read on this thread, deterministically.
/// <para>Input: byte 0 = listener (bits 0-1 protocol Auto/Gb32960/Hj1239/Gb17691, bit 2 frames before login
/// allowed, bit 3 a 300-byte max frame instead of 16 KiB, bits 4-5 pipe segment size); byte 1 = how the stream is
/// cut into reads; the rest is what the terminal sends.</para>
/// Invariants: the session ends when the input ends (no hang), never faults; what it stores is exactly a prefix
/// of the frames one scan of the whole stream finds, filtered by the VIN binding rule (the first login, or first
/// frame when allowed, binds; other VINs are refused), running at least up to the first logout and to the end
/// when there is none; every reply is a valid frame answering the stored frame it follows, in order, with the
/// bound VIN; allocation stays within a budget proportional to the input.
/// </summary>
public static class SessionTarget
{
    public const int MaxStream = 3 * FramingOptions.DefaultMaxFrameBytes;

    private static readonly ListenerProtocol[] Protocols = [ListenerProtocol.Auto, ListenerProtocol.Gb32960, ListenerProtocol.Hj1239, ListenerProtocol.Gb17691];
    private static readonly int[] SegmentSizes = [4096, 16, 64, 512];
    private static readonly IngestMetrics Metrics = new(new PlainMeterFactory());
    private static readonly ReplyWriter Replies = new(new FixedTime());

    // An open gate over an empty registry (no file behind it) and no rate limits: the fuzz drives framing and
    // binding, and every VIN it makes up is let in, marked unfiled.
    private static readonly AdmissionGate Admission = new(
        Ingest.Registry.VehicleRegistry.Open(new Ingest.Registry.RegistryFile(Path.Combine(Path.GetTempPath(), "fuzz-no-registry", "registry.json"))),
        new SessionRegistry(), new RateLimiter(new RateLimitOptions { Enabled = false }, new FixedTime()),
        new AdmissionMetrics(new PlainMeterFactory()), new FixedTime(), Microsoft.Extensions.Logging.Abstractions.NullLogger<AdmissionGate>.Instance);

    public static long AllocationBudget(int streamLength) => 256 * 1024 + 64L * streamLength;

    public static FuzzOutcome Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return FuzzOutcome.Empty;
        }
        var options = new ListenerOptions
        {
            Name = "fuzz",
            Port = 1,
            Protocol = Protocols[input[0] & 3],
            AllowFramesBeforeLogin = (input[0] & 4) != 0,
            MaxFrameBytes = (input[0] & 8) != 0 ? 300 : FramingOptions.DefaultMaxFrameBytes,
        };
        var listener = new ListenerRuntime(options, ConnectionBudget.Derive(null), AdmissionPolicy.Open);
        var stream = input[2..Math.Min(input.Length, 2 + MaxStream)].ToArray();
        var reads = Reads(stream.Length, input[1]);

        int segmentSize = SegmentSizes[(input[0] >> 4) & 3];
        (List<byte[]>? Stored, byte[]? Replies, List<string>? Errors) run = default;
        Invariant.AllocatesAtMost(AllocationBudget(stream.Length), $"session over {stream.Length} bytes in {reads.Count} reads",
            () => run = Drive(listener, stream, reads, segmentSize));
        var (stored, replies, errors) = run;
        Invariant.That(stored is not null && replies is not null && errors is not null, "the session run did not finish");

        Invariant.That(errors!.Count == 0, $"the session logged errors: {string.Join("; ", errors)}");
        var expected = ExpectedFrames(stream, listener);
        CheckStored(stream, listener, stored!, expected);
        CheckReplies(listener, stored!, replies!);
        return stored!.Count > 0 ? FuzzOutcome.Accepted : FuzzOutcome.Rejected;
    }

    /// <summary>Read sizes drawn from the control byte: single bytes, small reads, or the whole stream at once.</summary>
    private static List<int> Reads(int length, byte control)
    {
        var reads = new List<int>();
        if (control == 0)
        {
            reads.Add(length);
            return reads;
        }
        var random = new Random(control);
        int max = control < 16 ? 1 + control : control * 8;
        for (int at = 0; at < length;)
        {
            int size = Math.Min(length - at, 1 + random.Next(max));
            reads.Add(size);
            at += size;
        }
        return reads;
    }

    private static (List<byte[]> Stored, byte[] Replies, List<string> Errors) Drive(ListenerRuntime listener, byte[] stream,
        List<int> reads, int segmentSize)
    {
        var pipeOptions = new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: segmentSize, useSynchronizationContext: false);
        var fromTerminal = new Pipe(pipeOptions);
        var toTerminal = new Pipe(pipeOptions);
        var connection = new DefaultConnectionContext("fuzz",
            transport: new DuplexPipe(fromTerminal.Reader, toTerminal.Writer),
            application: new DuplexPipe(toTerminal.Reader, fromTerminal.Writer));
        var spool = new RecordingSpool();
        var logger = new ErrorCollectingLogger<TerminalConnectionHandler>();
        var handler = new TerminalConnectionHandler(spool, new SessionRegistry(), Replies, Metrics, new FixedTime(), FrameBufferPool.Shared, logger, Admission);

        var session = handler.HandleAsync(connection, listener);
        int at = 0;
        foreach (int size in reads)
        {
            if (session.IsCompleted)
            {
                break; // the session ended itself (logout); the terminal's further bytes go nowhere
            }
            fromTerminal.Writer.Write(stream.AsSpan(at, size));
            var flush = fromTerminal.Writer.FlushAsync();
            Invariant.That(flush.IsCompleted, "a flush into the session did not complete inline");
            at += size;
        }
        fromTerminal.Writer.Complete();
        Invariant.That(session.Wait(TimeSpan.FromSeconds(10)), "the session did not end after its input ended");

        toTerminal.Writer.Complete();
        byte[] replies = [];
        if (toTerminal.Reader.TryRead(out var output))
        {
            replies = output.Buffer.ToArray();
            toTerminal.Reader.AdvanceTo(output.Buffer.End);
        }
        return (spool.Records, replies, logger.Errors);
    }

    /// <summary>The frames one scan of the whole stream finds, filtered by the binding rule: what a session may store.</summary>
    private static List<(int Offset, FrameHeader Header)> ExpectedFrames(byte[] stream, ListenerRuntime listener)
    {
        var expected = new List<(int, FrameHeader)>();
        Protocol.Primitives.Vin? bound = null;
        for (int at = 0; at < stream.Length;)
        {
            var scan = FrameScanner.Scan(stream.AsSpan(at), listener.Framing);
            if (scan.Status == FrameScanStatus.NeedMoreData)
            {
                break;
            }
            if (scan.Status == FrameScanStatus.Frame)
            {
                var header = scan.Header;
                bool isLogin = header.Command == 0x01 && header.IsCommand;
                if (bound is { } vin ? vin == header.Vin : isLogin || listener.Options.AllowFramesBeforeLogin)
                {
                    bound ??= header.Vin;
                    expected.Add((at, header));
                }
            }
            at += scan.Length;
        }
        return expected;
    }

    private static void CheckStored(byte[] stream, ListenerRuntime listener, List<byte[]> stored, List<(int Offset, FrameHeader Header)> expected)
    {
        Invariant.That(stored.Count <= expected.Count, $"stored {stored.Count} frames, the stream holds {expected.Count} admissible ones");
        for (int i = 0; i < stored.Count; i++)
        {
            Invariant.That(FrameEnvelope.TryRead(stored[i], out var envelope), $"stored record {i} is not an envelope");
            Invariant.That(envelope.Protocol == listener.Options.Protocol, $"record {i} says protocol {envelope.Protocol}");
            var (offset, header) = expected[i];
            Invariant.That(envelope.Frame.Span.SequenceEqual(stream.AsSpan(offset, header.FrameLength)),
                $"stored frame {i} is not the admissible frame at stream offset {offset}");
        }
        int firstLogout = expected.FindIndex(f => f.Header.Command == 0x04 && f.Header.IsCommand);
        int mustStore = firstLogout < 0 ? expected.Count : firstLogout + 1;
        Invariant.That(stored.Count >= mustStore,
            $"stored {stored.Count} frames, but the stream holds {mustStore} admissible frames up to its end or first logout");
    }

    private static void CheckReplies(ListenerRuntime listener, List<byte[]> stored, byte[] replies)
    {
        int at = 0;
        var wholeOptions = new FramingOptions { MaxFrameBytes = FrameHeader.Overhead + FrameHeader.MaxDataLength };
        foreach (var record in stored)
        {
            FrameEnvelope.TryRead(record, out var envelope);
            var request = envelope.Frame.Span;
            Invariant.That(WholeFrame.TryValidate(request, listener.Framing, out var requestHeader, out var invalid),
                $"stored frame {Convert.ToHexString(request)} is not a valid frame: {invalid}");
            if (ReplyWriter.Classify(listener, requestHeader) == ReplyKind.None)
            {
                continue;
            }
            var scan = FrameScanner.Scan(replies.AsSpan(at), wholeOptions);
            Invariant.That(scan.Status == FrameScanStatus.Frame,
                $"reply to stored frame {Convert.ToHexString(request)} missing or not a frame: {scan.Status} {scan.Error}");
            var reply = replies.AsSpan(at, scan.Length);
            var header = scan.Header;
            Invariant.That(header.Command == requestHeader.Command && header.Vin == requestHeader.Vin && header.Layout == requestHeader.Layout,
                $"reply {Convert.ToHexString(reply)} does not answer {Convert.ToHexString(request)}");
            if (header.Layout == HeaderLayout.Gb32960)
            {
                Invariant.That(header.ResponseFlag == Gb32960ResponseFlags.Success, $"GB reply with flag {header.ResponseFlag}");
                Invariant.That(Gb32960Decoder.TryDecode(reply, out _, out var error), $"GB reply {Convert.ToHexString(reply)} does not decode: {error}");
            }
            else
            {
                Invariant.That(Hj1239Replies.TryReadReply(reply, out _, out _, out var error), $"HJ reply {Convert.ToHexString(reply)} does not read: {error}");
            }
            at += scan.Length;
        }
        Invariant.That(at == replies.Length, $"{replies.Length - at} reply bytes answer no stored frame");
    }
}
