using Ingest.Import;
using Ingest.Tests.Support;

namespace Ingest.Tests.Import;

/// <summary>
/// The capture and hex readers without ClickHouse: pcap variants, TCP reassembly (split, sticky, reordered,
/// retransmitted, lost and cut segments), content detection, and hex lines good and bad.
/// </summary>
public sealed class CaptureReadingTests
{
    private static void AssertSameFrames(IReadOnlyList<CapturedFrame> expected, IReadOnlyList<CapturedFrame> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Convert.ToHexString(expected[i].Bytes), Convert.ToHexString(actual[i].Bytes));
            Assert.Equal(expected[i].ReceivedAt, actual[i].ReceivedAt);
            Assert.Equal(expected[i].Port, actual[i].Port);
        }
    }

    public static TheoryData<uint, bool, bool, bool> Variants => new()
    {
        { 1, false, false, false },   // Ethernet, little-endian, microseconds
        { 1, true, false, false },    // big-endian
        { 1, false, true, false },    // nanoseconds
        { 1, true, true, true },      // big-endian nanoseconds, VLAN-tagged
        { 113, false, false, false }, // Linux cooked (tcpdump -i any)
        { 276, false, true, false },  // Linux cooked v2
        { 101, true, false, false },  // raw IP
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Every_link_type_byte_order_and_time_precision_gives_the_frames_the_platform_had_with_their_times(uint linkType, bool bigEndian,
        bool nanoseconds, bool vlan)
    {
        var writer = new PcapWriter(linkType, bigEndian, nanoseconds, vlan);
        var expected = TerminalCapture.Write(writer);

        var (target, file) = RecordingTarget.ReadPcap(writer.ToArray());

        Assert.Empty(target.Problems);
        AssertSameFrames(expected, target.Frames);
        Assert.Equal(2, file.Flows); // the two terminal directions; the platform's replies never start a stream
        Assert.True(file.OutOfOrder >= 1, $"out of order: {file.OutOfOrder}");
        Assert.True(file.Retransmissions >= 3, $"retransmissions: {file.Retransmissions}");
        Assert.True(file.OtherPackets > 0); // the replies
    }

    [Fact]
    public void Hex_lines_of_the_same_frames_give_the_same_frames_and_times()
    {
        var expected = TerminalCapture.Write(new PcapWriter());

        var (target, file) = RecordingTarget.ReadHex(TerminalCapture.HexFile(expected));

        Assert.Empty(target.Problems);
        AssertSameFrames(expected.Select(f => f with { Port = 0 }).ToList(), target.Frames);
        Assert.Equal(expected.Count + 2, file.Lines);
    }

    [Fact]
    public void A_segment_the_capture_lost_is_a_gap_the_frame_across_it_is_incomplete_and_the_frames_after_it_are_found()
    {
        var writer = new PcapWriter();
        var frames = Enumerable.Range(0, 4).Select(i => TerminalCapture.Realtime(TerminalCapture.GbVin, i)).ToList();
        var stream = frames.SelectMany(f => f).ToArray();
        var t = TerminalCapture.T0;
        writer.AddTcp(t, TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 99, TcpFlagBits.Syn, []);
        writer.AddTcp(t.AddSeconds(1), TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 100, TcpFlagBits.Ack, stream.AsSpan(0, 60)); // frame 0 and 8 bytes of 1
        // 20 bytes of frame 1 never captured.
        writer.AddTcp(t.AddSeconds(2), TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 100 + 80, TcpFlagBits.Ack, stream.AsSpan(80)); // rest
        writer.AddTcp(t.AddSeconds(3), TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 100 + (uint)stream.Length, TcpFlagBits.Fin, []);

        var (target, _) = RecordingTarget.ReadPcap(writer.ToArray());

        Assert.Equal([frames[0], frames[2], frames[3]], target.Frames.Select(f => f.Bytes));
        var gap = Assert.Single(target.Problems, p => p.Kind == ImportProblemKind.CaptureGap);
        Assert.StartsWith("packet 4 (10.0.0.5:40001 > 10.0.0.1:32960, stream byte 60)", gap.Where);
        Assert.Contains("20 bytes", gap.Detail);
        Assert.Contains(target.Problems, p => p.Kind == ImportProblemKind.Incomplete && p.Where.Contains("stream byte 52", StringComparison.Ordinal));
        Assert.DoesNotContain(target.Problems, p => p.Kind == ImportProblemKind.File);
    }

    [Fact]
    public void A_capture_that_joins_a_connection_mid_frame_skips_to_the_first_frame_without_calling_it_junk()
    {
        var writer = new PcapWriter(linkType: 113);
        var frames = Enumerable.Range(0, 3).Select(i => TerminalCapture.Realtime(TerminalCapture.GbVin, i)).ToList();
        var stream = frames.SelectMany(f => f).ToArray();
        var t = TerminalCapture.T0;
        // No SYN: the capture started while frame 0 was on the wire.
        writer.AddTcp(t, TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 5000 + 30, TcpFlagBits.Ack, stream.AsSpan(30, 50));
        writer.AddTcp(t.AddSeconds(1), TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 5000 + 80, TcpFlagBits.Ack, stream.AsSpan(80));

        var (target, file) = RecordingTarget.ReadPcap(writer.ToArray());

        Assert.Equal([frames[1], frames[2]], target.Frames.Select(f => f.Bytes));
        Assert.Empty(target.Problems);
        Assert.Equal(22, file.MidStreamBytesSkipped);
    }

    [Fact]
    public void A_packet_cut_by_the_snap_length_is_a_gap_and_a_capture_cut_mid_record_is_a_bad_packet_not_a_failure()
    {
        var writer = new PcapWriter(linkType: 101);
        var frames = Enumerable.Range(0, 3).Select(i => TerminalCapture.Realtime(TerminalCapture.GbVin, i)).ToList();
        var t = TerminalCapture.T0;
        writer.AddTcp(t, TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 1, TcpFlagBits.Syn, []);
        writer.AddTcp(t.AddSeconds(1), TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 2, TcpFlagBits.Ack, frames[0], capturedPayload: 30);
        writer.AddTcp(t.AddSeconds(2), TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 2 + 52, TcpFlagBits.Ack, frames[1]);
        writer.AddTcp(t.AddSeconds(3), TerminalCapture.GbTerminal, TerminalCapture.GbPlatform, 2 + 104, TcpFlagBits.Ack, frames[2]);
        var bytes = writer.ToArray();
        var cut = bytes[..^10]; // the capture stopped while writing the last packet

        var (target, file) = RecordingTarget.ReadPcap(cut);

        Assert.Equal([frames[1]], target.Frames.Select(f => f.Bytes));
        Assert.Contains(target.Problems, p => p.Kind == ImportProblemKind.CaptureGap && p.Where.StartsWith("packet 2 ", StringComparison.Ordinal));
        var last = Assert.Single(target.Problems, p => p.Kind == ImportProblemKind.BadPacket);
        Assert.Equal("packet 4", last.Where);
        Assert.Equal(3, file.Packets);
    }

    [Fact]
    public void Content_detection_takes_terminal_traffic_on_an_unconfigured_port_and_leaves_the_replies()
    {
        var writer = new PcapWriter();
        var terminal = TcpEnd.Parse("192.168.1.20:51000");
        var legacy = TcpEnd.Parse("192.168.1.1:9000");
        var frames = new[] { Frames.Login(TerminalCapture.GbVin), TerminalCapture.Realtime(TerminalCapture.GbVin, 1) };
        var t = TerminalCapture.T0;
        writer.AddTcp(t, terminal, legacy, 10, TcpFlagBits.Ack, frames[0]);
        writer.AddTcp(t.AddSeconds(1), legacy, terminal, 900, TcpFlagBits.Ack, TerminalCapture.Reply(frames[0]));
        writer.AddTcp(t.AddSeconds(2), terminal, legacy, 10 + (uint)frames[0].Length, TcpFlagBits.Ack, frames[1]);
        writer.AddTcp(t.AddSeconds(3), legacy, terminal, 900 + (uint)frames[0].Length, TcpFlagBits.Ack, TerminalCapture.Reply(frames[1]));

        var byPort = RecordingTarget.ReadPcap(writer.ToArray());
        var detected = RecordingTarget.ReadPcap(writer.ToArray(), new ImportSettings { Listeners = TerminalCapture.Listeners, DetectByContent = true });

        Assert.Empty(byPort.Target.Frames); // port 9000 is not a listener's
        Assert.Equal(frames, detected.Target.Frames.Select(f => f.Bytes));
        Assert.All(detected.Target.Frames, f => Assert.Equal(9000, f.Port));
        Assert.Equal(1, detected.File.FlowsIgnored); // the legacy platform's replies
        Assert.Empty(detected.Target.Problems);
    }

    [Fact]
    public void A_file_that_is_not_a_classic_pcap_is_refused_as_a_whole()
    {
        var (target, _) = RecordingTarget.ReadPcap([0x0A, 0x0D, 0x0D, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // pcapng

        var problem = Assert.Single(target.Problems);
        Assert.Equal(ImportProblemKind.File, problem.Kind);
        Assert.Contains("pcapng", problem.Detail);
    }

    [Fact]
    public void Bad_hex_lines_are_counted_with_their_line_number_and_every_good_frame_is_kept()
    {
        var good = TerminalCapture.Realtime(TerminalCapture.GbVin, 1);
        var badCheck = (byte[])good.Clone();
        badCheck[^1] ^= 0xFF;
        string Hex(byte[] b) => Convert.ToHexString(b);
        var text = string.Join('\n',
            "# export of 2026-12-05",                                               // 1
            "2026-12-05T08:00:01+08:00 " + Hex(good),                               // 2
            "yesterday " + Hex(good),                                               // 3 bad time
            "2026-12-05 08:00:02 " + Hex(good)[..20] + "ZZ" + Hex(good)[22..],      // 4 not hex
            "2026-12-05 08:00:03 " + Hex(good)[1..],                                // 5 odd digits
            "2026-12-05 08:00:04 " + Hex(badCheck),                                 // 6 checksum
            "2026-12-05 08:00:05 " + Hex(good)[..60],                               // 7 incomplete
            "2026-12-05 08:00:06;0x" + "AABB" + Hex(good) + Hex(good),              // 8 junk, then two frames (sticky)
            "",                                                                     // 9
            "1764892807000," + Hex(good),                                           // 10 Unix milliseconds
            "2026-12-05 08:00:08");                                                 // 11 no hex

        var (target, file) = RecordingTarget.ReadHex(text);

        Assert.Equal(11, file.Lines);
        Assert.Equal(4, target.Frames.Count);
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 0, 0, 1, TimeSpan.Zero), target.Frames[0].ReceivedAt);
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 0, 0, 6, TimeSpan.Zero), target.Frames[1].ReceivedAt); // no zone: +08:00
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1764892807000), target.Frames[3].ReceivedAt);
        Assert.Equal(
            [(ImportProblemKind.BadLine, "line 3"), (ImportProblemKind.BadLine, "line 4"), (ImportProblemKind.BadLine, "line 5"),
             (ImportProblemKind.Checksum, "line 6, byte 0 of its frames"), (ImportProblemKind.Incomplete, "line 7, byte 0 of its frames"),
             (ImportProblemKind.Junk, "line 8, byte 0 of its frames"), (ImportProblemKind.BadLine, "line 11")],
            target.Problems.Select(p => (p.Kind, p.Where)));
        Assert.Contains("'Z' at column 21", target.Problems[1].Detail);
        int line4Offset = text.Split('\n').Take(3).Sum(l => l.Length + 1);
        Assert.Equal(line4Offset, target.Problems[1].FileOffset);
    }

    [Fact]
    public void A_server_node_may_not_be_named_like_the_imported_rows()
    {
        var options = new Ingest.Hosting.IngestOptions { NodeName = FrameImporter.NodeName, Listeners = [.. TerminalCapture.Listeners] };

        var results = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(results, r => r.ErrorMessage!.StartsWith("Ingest:NodeName 'import' is reserved", StringComparison.Ordinal));
    }

    [Fact]
    public void A_byte_order_mark_before_the_first_line_is_not_part_of_its_time()
    {
        var frame = TerminalCapture.Realtime(TerminalCapture.GbVin, 1);

        var (target, _) = RecordingTarget.ReadHex("\uFEFF2026-12-05T08:00:01+08:00 " + Convert.ToHexString(frame) + "\r\n");

        Assert.Empty(target.Problems);
        Assert.Equal(frame, Assert.Single(target.Frames).Bytes);
    }
}
