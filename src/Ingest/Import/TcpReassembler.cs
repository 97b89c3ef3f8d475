using Ingest.Hosting;
using Ingest.Protocol.Framing;

namespace Ingest.Import;

/// <summary>Which TCP directions of a capture are terminal traffic.</summary>
/// <param name="Ports">Destination ports of the platform's terminal listeners (segments toward them are imported).</param>
/// <param name="DetectByContent">Also take any other direction whose first frame is a terminal's command.</param>
/// <param name="ProtocolOf">What the platform's port speaks (the envelope's protocol, as the listener would set it).</param>
public sealed record TrafficSelection(IReadOnlySet<int> Ports, bool DetectByContent, Func<int, ListenerProtocol> ProtocolOf);

/// <summary>
/// Puts the selected directions of a capture's TCP connections back into byte streams, by sequence number, and
/// frames each stream as a session would: in-order segments go straight to the framer; a segment ahead of the
/// expected sequence waits until the gap before it is filled; a retransmission (all or part of it already
/// delivered) gives only its new bytes, if any. A frame's receive time is the time of the packet that completed it
/// in order, which is when the platform's socket would have had it.
/// </summary>
/// <remarks>
/// A connection whose SYN the capture missed starts at its first data segment. Bytes that never arrive (dropped by
/// the capture, or cut by the snap length) become a gap when the stream ends or when more than
/// <see cref="MaxPendingBytes"/> wait behind one: the frame across the gap is reported incomplete and framing
/// resumes after it. Sequence numbers compare modulo 2^32.
/// </remarks>
internal sealed class TcpReassembler(TrafficSelection selection, FramingOptions framing, FileImportReport report, IImportTarget target)
{
    /// <summary>Out-of-order bytes held per direction before the hole in front of them is given up as a gap.</summary>
    public const int MaxPendingBytes = 8 * 1024 * 1024;

    private readonly Dictionary<FlowKey, Direction> _directions = [];

    public void Add(in PcapPacket packet, in TcpSegment segment, in InputPosition position)
    {
        var flow = segment.Flow;
        bool selectedPort = selection.Ports.Contains(flow.DestinationPort);
        if (!selectedPort && !selection.DetectByContent)
        {
            report.OtherPackets++;
            return;
        }
        var at = position with { Flow = flow };
        var payload = packet.Data.Span.Slice(segment.PayloadStart, segment.CapturedLength);
        bool syn = (segment.Flags & TcpFlags.Syn) != 0;
        _directions.TryGetValue(flow, out var direction);
        if (syn && direction is not null && direction.Next != segment.Sequence + 1)
        {
            // The same addresses and ports again with a new initial sequence number: a new connection.
            if (!direction.Finished)
            {
                Finish(direction, packet.Timestamp, at);
            }
            direction = null;
        }
        if (direction is null)
        {
            if (!syn && segment.DeclaredLength == 0)
            {
                // A bare ACK (or FIN) of a connection not seen yet: nothing to start a stream with.
                report.Segments += selectedPort ? 1 : 0;
                report.OtherPackets += selectedPort ? 0 : 1;
                return;
            }
            // Without a SYN the capture joined the connection mid-stream: it starts at this segment.
            direction = NewDirection(flow, selectedPort, joinedMidStream: !syn);
            direction.Next = syn ? segment.Sequence + 1 : segment.Sequence;
        }
        report.Segments++;
        if (direction.Finished)
        {
            // After the FIN or RST only a retransmission can carry data.
            report.Retransmissions += segment.DeclaredLength > 0 ? 1 : 0;
            return;
        }
        Deliver(direction, syn ? segment.Sequence + 1 : segment.Sequence, payload, segment.DeclaredLength, packet.Timestamp, at);
        if ((segment.Flags & TcpFlags.Fin) != 0)
        {
            direction.FinSequence = segment.Sequence + (uint)segment.DeclaredLength + (syn ? 1u : 0u);
        }
        if ((segment.Flags & TcpFlags.Rst) != 0 || direction.FinSequence is { } fin && fin == direction.Next)
        {
            Finish(direction, packet.Timestamp, at);
        }
    }

    /// <summary>The end of the capture: every stream still open ends here, and what it still waits for is a gap.</summary>
    public void Complete(DateTimeOffset lastPacketTime, in InputPosition position)
    {
        foreach (var direction in _directions.Values.Where(d => !d.Finished).ToList())
        {
            Finish(direction, direction.LastTime ?? lastPacketTime, position with { Flow = direction.Flow });
        }
    }

    private Direction NewDirection(FlowKey flow, bool selectedPort, bool joinedMidStream)
    {
        report.Flows++;
        var direction = new Direction(flow, new StreamFramer(framing, flow.DestinationPort, selection.ProtocolOf(flow.DestinationPort),
            selectedPort ? StreamRole.Terminal : StreamRole.Undecided, report) { JoinedMidStream = joinedMidStream });
        _directions[flow] = direction;
        return direction;
    }

    private void Deliver(Direction direction, uint sequence, ReadOnlySpan<byte> captured, int declared, DateTimeOffset time, in InputPosition at)
    {
        direction.LastTime = time;
        if (declared == 0)
        {
            return;
        }
        if (direction.Framer.Role == StreamRole.NotTerminal)
        {
            // Not terminal traffic (content detection said so): nothing of it is kept.
            direction.Pending.Clear();
            direction.PendingBytes = 0;
            return;
        }
        int ahead = (int)(sequence - direction.Next);
        if (ahead > 0)
        {
            report.OutOfOrder++;
            direction.Pending.Add(new PendingSegment(sequence, captured.ToArray(), declared));
            direction.PendingBytes += captured.Length;
            if (direction.PendingBytes > MaxPendingBytes)
            {
                SkipGaps(direction, time, at, untilBytes: MaxPendingBytes / 2);
            }
            return;
        }
        if (ahead + declared <= 0)
        {
            report.Retransmissions++;
            return;
        }
        if (ahead < 0)
        {
            report.Retransmissions++; // partly delivered before: only its new bytes go on
        }
        Take(direction, sequence, captured, declared, time, at);
        DrainPending(direction, time, at);
    }

    /// <summary>Delivers the part of a segment from <see cref="Direction.Next"/> on (the segment covers it).</summary>
    private void Take(Direction direction, uint sequence, ReadOnlySpan<byte> captured, int declared, DateTimeOffset time, in InputPosition at)
    {
        int skip = (int)(direction.Next - sequence);
        if (skip < captured.Length)
        {
            direction.Framer.Append(captured[skip..], time, at, target);
        }
        if (captured.Length < declared)
        {
            // The snap length cut this segment: its tail was never captured.
            direction.Framer.Gap(declared - Math.Max(skip, captured.Length), time, at, target);
        }
        direction.Next = sequence + (uint)declared;
    }

    /// <summary>Delivers every waiting segment the stream has now reached, and drops the ones it has passed.</summary>
    private void DrainPending(Direction direction, DateTimeOffset time, in InputPosition at)
    {
        for (int i = 0; i < direction.Pending.Count;)
        {
            var p = direction.Pending[i];
            int ahead = (int)(p.Sequence - direction.Next);
            if (ahead > 0)
            {
                i++;
                continue;
            }
            direction.Pending.RemoveAt(i);
            direction.PendingBytes -= p.Bytes.Length;
            if (ahead + p.Declared > 0)
            {
                Take(direction, p.Sequence, p.Bytes, p.Declared, time, at);
            }
            i = 0; // the stream moved on: an earlier entry may fit now
        }
    }

    /// <summary>Gives up the holes before waiting segments, earliest first, until at most <paramref name="untilBytes"/> wait.</summary>
    private void SkipGaps(Direction direction, DateTimeOffset time, in InputPosition at, long untilBytes)
    {
        while (direction.Pending.Count > 0 && direction.PendingBytes > untilBytes)
        {
            var earliest = direction.Pending.MinBy(p => (int)(p.Sequence - direction.Next));
            int missing = (int)(earliest.Sequence - direction.Next);
            if (missing > 0)
            {
                direction.Framer.Gap(missing, time, at, target);
                direction.Next = earliest.Sequence;
            }
            DrainPending(direction, time, at);
        }
    }

    private void Finish(Direction direction, DateTimeOffset time, in InputPosition at)
    {
        if (direction.Framer.Role != StreamRole.NotTerminal)
        {
            SkipGaps(direction, time, at, untilBytes: -1);
        }
        direction.Framer.End(time, at, target);
        direction.Finished = true;
        direction.Pending.Clear();
        direction.PendingBytes = 0;
    }

    private sealed class Direction(FlowKey flow, StreamFramer framer)
    {
        public FlowKey Flow { get; } = flow;

        public StreamFramer Framer { get; } = framer;

        public bool Finished { get; set; }

        /// <summary>The sequence number of the next byte the stream expects.</summary>
        public uint Next { get; set; }

        public uint? FinSequence { get; set; }

        public List<PendingSegment> Pending { get; } = [];

        public long PendingBytes { get; set; }

        public DateTimeOffset? LastTime { get; set; }
    }

    private readonly record struct PendingSegment(uint Sequence, byte[] Bytes, int Declared);
}
