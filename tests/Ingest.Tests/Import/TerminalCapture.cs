using System.Globalization;
using System.Text;
using Ingest.Hosting;
using Ingest.Import;
using Ingest.Protocol.Primitives;
using Ingest.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ingest.Tests.Import;

/// <summary>A frame as the platform would have had it: when its last byte arrived in order, on which port.</summary>
public sealed record CapturedFrame(DateTimeOffset ReceivedAt, byte[] Bytes, int Port);

/// <summary>
/// Terminal traffic for the import tests, and the frames and receive times a platform's sockets would have seen.
/// One GB/T 32960 vehicle over IPv4 to port 32960 with awkward segmentation (frames split across segments and
/// several in one, a segment pair swapped, a duplicate retransmission and one that overlaps what was delivered), the
/// platform's replies in the other direction, and a GB 17691 vehicle over IPv6 to port 12390.
/// </summary>
public static class TerminalCapture
{
    public static readonly DateTimeOffset T0 = new(2026, 12, 5, 0, 0, 1, TimeSpan.Zero);

    public const string GbVin = "LIMPORTGB00000001";

    public static readonly TcpEnd GbTerminal = TcpEnd.Parse("10.0.0.5:40001");
    public static readonly TcpEnd GbPlatform = TcpEnd.Parse("10.0.0.1:32960");
    public static readonly TcpEnd HjTerminal = TcpEnd.Parse("[fd00::5]:40002");
    public static readonly TcpEnd HjPlatform = TcpEnd.Parse("[fd00::1]:12390");

    /// <summary>rtm_con #5's data unit (whole-vehicle block only) with its seconds byte set, so every sample has its own time.</summary>
    public static byte[] Realtime(string vin, int second)
    {
        var data = Convert.FromHexString("190A1B14020201FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF3FFFFFFFFF");
        data[4] = (byte)(second / 60);
        data[5] = (byte)(second % 60);
        return Frames.Gb(0x02, vin, data);
    }

    /// <summary>The GB vehicle's uplink: login, twelve realtime frames, two heartbeats, logout.</summary>
    public static List<byte[]> GbFrames() =>
    [
        Frames.Login(GbVin),
        .. Enumerable.Range(0, 6).Select(i => Realtime(GbVin, i)),
        Frames.Heartbeat(GbVin),
        .. Enumerable.Range(6, 6).Select(i => Realtime(GbVin, i)),
        Frames.Heartbeat(GbVin),
        Frames.Logout(GbVin),
    ];

    /// <summary>The platform's answer to a frame (flag 0x01, the request's data), for the direction the import must ignore.</summary>
    public static byte[] Reply(byte[] request)
    {
        var reply = (byte[])request.Clone();
        reply[3] = 0x01;
        reply[^1] = Bcc.Compute(reply.AsSpan(2, reply.Length - 3));
        return reply;
    }

    /// <summary>Segment sizes of the GB stream, chosen to split frames and to put several frames in one segment.</summary>
    private static readonly int[] Cuts = [7, 60, 3, 140, 25, 90, 200, 1, 45, 33, 300, 12, 80];

    /// <summary>Writes the scenario into <paramref name="writer"/> and returns the frames the platform had, in order.</summary>
    public static List<CapturedFrame> Write(PcapWriter writer)
    {
        var expected = new List<CapturedFrame>();
        var time = T0;
        // A second per packet: frames completed by different packets never share a receive second, so identical
        // heartbeats stay two frames (an import keys on the second and the bytes).
        DateTimeOffset Next() => time = time.AddMilliseconds(1000 + 37);

        // GB vehicle, IPv4: three-way handshake, then the stream in segments, with the misbehaviour listed above.
        var gb = GbFrames();
        var stream = gb.SelectMany(f => f).ToArray();
        uint isn = 0xFFFF_FF00; // wraps past 2^32 within the stream
        uint platformIsn = 7000;
        writer.AddTcp(Next(), GbTerminal, GbPlatform, isn, TcpFlagBits.Syn, []);
        writer.AddTcp(Next(), GbPlatform, GbTerminal, platformIsn, TcpFlagBits.Syn | TcpFlagBits.Ack, []);
        writer.AddTcp(Next(), GbTerminal, GbPlatform, isn + 1, TcpFlagBits.Ack, []);
        var segments = new List<(int Start, int Length)>();
        for (int at = 0, i = 0; at < stream.Length; i++)
        {
            int length = Math.Min(Cuts[i % Cuts.Length], stream.Length - at);
            segments.Add((at, length));
            at += length;
        }
        var order = new List<(int Start, int Length)>(segments);
        (order[3], order[4]) = (order[4], order[3]); // out of order
        order.Insert(7, order[5]); // a duplicate of a segment already delivered
        order.Insert(10, (order[9].Start - 10, order[9].Length + 10 + segments[10].Length)); // overlaps the last one, then carries new bytes
        order.Insert(order.Count - 2, order[^3]); // one more retransmission near the end
        var arrived = new bool[stream.Length];
        int prefix = 0, nextFrame = 0, frameEnd = gb[0].Length;
        uint replySeq = platformIsn + 1;
        foreach (var (start, length) in order)
        {
            var at = Next();
            writer.AddTcp(at, GbTerminal, GbPlatform, isn + 1 + (uint)start, TcpFlagBits.Ack | TcpFlagBits.Psh, stream.AsSpan(start, length));
            Array.Fill(arrived, true, start, length);
            while (prefix < stream.Length && arrived[prefix])
            {
                prefix++;
            }
            // Every frame whose last byte is now in order is what the platform's socket delivers at this packet.
            while (nextFrame < gb.Count && frameEnd <= prefix)
            {
                expected.Add(new CapturedFrame(at, gb[nextFrame], GbPlatform.Port));
                var reply = Reply(gb[nextFrame]);
                writer.AddTcp(Next(), GbPlatform, GbTerminal, replySeq, TcpFlagBits.Ack | TcpFlagBits.Psh, reply);
                replySeq += (uint)reply.Length;
                nextFrame++;
                frameEnd += nextFrame < gb.Count ? gb[nextFrame].Length : 0;
            }
        }
        uint finSeq = isn + 1 + (uint)stream.Length;
        writer.AddTcp(Next(), GbTerminal, GbPlatform, finSeq, TcpFlagBits.Fin | TcpFlagBits.Ack, []);
        writer.AddTcp(Next(), GbPlatform, GbTerminal, replySeq, TcpFlagBits.Fin | TcpFlagBits.Ack, []);

        // GB 17691 vehicle, IPv6: three realtime frames, each split in two with the second half sticky to the next frame's start.
        var hj = Enumerable.Repeat(Frames.AnnexQRealtime, 3).ToList();
        var hjStream = hj.SelectMany(f => f).ToArray();
        uint hjIsn = 123_456;
        writer.AddTcp(Next(), HjTerminal, HjPlatform, hjIsn, TcpFlagBits.Syn, []);
        int half = Frames.AnnexQRealtime.Length / 2;
        int[] cuts = [half, Frames.AnnexQRealtime.Length, Frames.AnnexQRealtime.Length, hjStream.Length - half - 2 * Frames.AnnexQRealtime.Length];
        int offset = 0;
        int hjFrame = 0;
        foreach (int length in cuts)
        {
            var at = Next();
            writer.AddTcp(at, HjTerminal, HjPlatform, hjIsn + 1 + (uint)offset, TcpFlagBits.Ack | TcpFlagBits.Psh, hjStream.AsSpan(offset, length));
            offset += length;
            while (hjFrame < hj.Count && (hjFrame + 1) * Frames.AnnexQRealtime.Length <= offset)
            {
                expected.Add(new CapturedFrame(at, hj[hjFrame], HjPlatform.Port));
                hjFrame++;
            }
        }
        writer.AddTcp(Next(), HjTerminal, HjPlatform, hjIsn + 1 + (uint)offset, TcpFlagBits.Rst, []);
        return expected;
    }

    /// <summary>The same frames as hex lines with their receive times, with comments and blank lines between.</summary>
    public static string HexFile(IEnumerable<CapturedFrame> frames)
    {
        var text = new StringBuilder("# legacy platform export\n\n");
        foreach (var frame in frames)
        {
            var hex = Convert.ToHexString(frame.Bytes);
            // Bytes spaced out on some lines, colon-separated on others, as exports differ.
            var written = frame.Bytes.Length % 2 == 0
                ? string.Join(' ', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)))
                : string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));
            text.Append(frame.ReceivedAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture))
                .Append(' ').Append(written).Append("   # frame\n");
        }
        return text.ToString();
    }

    public static IReadOnlyList<ListenerOptions> Listeners { get; } =
    [
        new() { Name = "gb32960", Port = 32960, Protocol = ListenerProtocol.Auto },
        new() { Name = "hj1239", Port = 12390, Protocol = ListenerProtocol.Auto },
    ];
}

/// <summary>Collects what the readers hand over, for tests that need no ClickHouse.</summary>
public sealed class RecordingTarget : IImportTarget
{
    public List<CapturedFrame> Frames { get; } = [];

    public List<ImportProblem> Problems { get; } = [];

    public void Frame(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, int listenerPort, ListenerProtocol protocol) =>
        Frames.Add(new CapturedFrame(receivedAt, frame.ToArray(), listenerPort));

    public void Problem(ImportProblem problem) => Problems.Add(problem);

    public static (RecordingTarget Target, FileImportReport File) ReadPcap(byte[] pcap, ImportSettings? settings = null)
    {
        var target = new RecordingTarget();
        var file = new FileImportReport("test.pcap", "pcap");
        var import = new HistoryImport(settings ?? new ImportSettings { Listeners = TerminalCapture.Listeners }, null, NullLogger.Instance);
        foreach (var _ in import.ReadPcap(new MemoryStream(pcap), "test.pcap", file, target))
        {
        }
        return (target, file);
    }

    public static (RecordingTarget Target, FileImportReport File) ReadHex(string text, ImportSettings? settings = null)
    {
        var target = new RecordingTarget();
        var file = new FileImportReport("test.hex", "hex");
        var import = new HistoryImport(settings ?? new ImportSettings { Listeners = TerminalCapture.Listeners }, null, NullLogger.Instance);
        foreach (var _ in import.ReadHex(new MemoryStream(Encoding.UTF8.GetBytes(text)), "test.hex", file, target))
        {
        }
        return (target, file);
    }
}
