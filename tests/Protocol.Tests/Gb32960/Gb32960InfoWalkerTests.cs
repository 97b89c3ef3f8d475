using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.InfoUnits;

namespace Protocol.Tests.Gb32960;

public class Gb32960InfoWalkerTests
{
    private static byte[] DataUnit(string file, string title)
    {
        var frame = GbVectors.Bytes(file, title);
        return frame[24..^1];
    }

    private static Gb32960Edition EditionOf(byte[] frame) => frame[0] == 0x24 ? Gb32960Edition.V2025 : Gb32960Edition.V2016;

    [Fact]
    public void Walks_a_2025_frame_item_by_item_and_stops_at_the_signature()
    {
        var data = DataUnit("rtm_con.md", "36. data_2025");
        var walker = new Gb32960InfoWalker(data, Gb32960Edition.V2025);
        var types = new List<byte>();
        var offsets = new List<int>();
        while (walker.TryReadNext(out var item))
        {
            types.Add(item.Type);
            offsets.Add(item.Offset);
        }
        Assert.Equal([0x01, 0x02, 0x05, 0x06, 0x07, 0x08, 0x83], types);
        Assert.Equal([6, 25, 47, 58, 81, 450, 503], offsets);
        Assert.True(walker.AtSignature);
        Assert.Equal(DecodeErrorKind.None, walker.Error.Kind);
        Assert.Equal(0xFF, data[walker.Position]);
        Assert.Equal(new DateTimeOffset(2025, 10, 28, 14, 45, 47, TimeSpan.FromHours(8)), walker.Time.ToDateTimeOffset());
    }

    [Fact]
    public void Walks_a_2016_frame_to_its_end()
    {
        var data = DataUnit("rtm_con.md", "35. data_2016");
        var walker = new Gb32960InfoWalker(data, Gb32960Edition.V2016);
        var kinds = new List<Gb32960InfoKind>();
        while (walker.TryReadNext(out var item))
        {
            kinds.Add(item.Kind);
        }
        Assert.Equal(8, kinds.Count);
        Assert.Equal(Gb32960InfoKind.Extremes, kinds[3]);
        Assert.False(walker.AtSignature);
        Assert.Equal(data.Length, walker.Position);
        Assert.Equal(DecodeErrorKind.None, walker.Error.Kind);
    }

    [Fact]
    public void Stops_with_unknown_info_type_where_no_layout_is_known()
    {
        var data = DataUnit("rtm_con.md", "34. weird message 2025");
        var walker = new Gb32960InfoWalker(data, Gb32960Edition.V2025);
        int count = 0;
        while (walker.TryReadNext(out _))
        {
            count++;
        }
        Assert.Equal(6, count);
        Assert.Equal(DecodeErrorKind.UnknownInfoType, walker.Error.Kind);
        Assert.Equal(walker.Position, walker.Error.Offset);
        Assert.Equal(0x79, walker.Error.Actual);
        Assert.False(walker.TryReadNext(out _));
    }

    [Fact]
    public void An_item_cut_short_stops_the_walk_as_truncated()
    {
        var data = DataUnit("rtm_con.md", "35. data_2016")[..100];
        var walker = new Gb32960InfoWalker(data, Gb32960Edition.V2016);
        while (walker.TryReadNext(out _))
        {
        }
        Assert.Equal(DecodeErrorKind.Truncated, walker.Error.Kind);
        Assert.Equal(88, walker.Error.Offset); // the 0x08 cell-voltage item
    }

    [Fact]
    public void A_data_unit_shorter_than_the_time_is_truncated_at_once()
    {
        var walker = new Gb32960InfoWalker(new byte[5], Gb32960Edition.V2016);
        Assert.False(walker.TryReadNext(out _));
        Assert.Equal(DecodeErrorKind.Truncated, walker.Error.Kind);
        Assert.Equal(0, walker.Error.Offset);
    }

    [Fact]
    public void Framing_checksum_and_walk_of_every_realtime_vector_allocate_nothing()
    {
        var frames = GbVectors.All
            .Where(v => v.Expect is "decode" or "lenient")
            .Select(v => v.Bytes)
            .Where(b => b[2] is 0x02 or 0x03 && b[3] == 0xFE)
            .ToArray();
        Assert.True(frames.Length >= 20);
        var options = FramingOptions.Default;

        int Walk()
        {
            int items = 0;
            foreach (var frame in frames)
            {
                var scan = FrameScanner.Scan(frame.AsSpan(), options);
                if (scan.Status != FrameScanStatus.Frame)
                {
                    return -1;
                }
                var walker = new Gb32960InfoWalker(frame.AsSpan(24, scan.Header.DataLength), Gb32960Editions.FromMarker(scan.Header.Marker));
                while (walker.TryReadNext(out var item))
                {
                    items += item.Body.Length > 0 ? 1 : 0;
                }
            }
            return items;
        }

        int expected = Walk();
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool same = true;
        for (int i = 0; i < 50; i++)
        {
            same &= Walk() == expected;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(same && expected > 0);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Walker_and_decoder_agree_on_items()
    {
        foreach (var v in GbVectors.All.Where(v => v.Expect is "decode" or "lenient"))
        {
            var bytes = v.Bytes;
            if (bytes[2] is not (0x02 or 0x03) || bytes[3] != 0xFE)
            {
                continue;
            }
            Assert.True(Gb32960Decoder.TryDecode(bytes, out var frame, out _));
            var report = Assert.IsType<Ingest.Protocol.Gb32960.Bodies.RealtimeReport>(frame.Body);
            var walker = new Gb32960InfoWalker(bytes.AsSpan(24, bytes.Length - 25), EditionOf(bytes));
            int i = 0;
            while (walker.TryReadNext(out var item))
            {
                Assert.Equal(report.Items[i].Type, item.Type);
                Assert.Equal(report.Items[i].BodyLength, item.Body.Length);
                i++;
            }
            Assert.Equal(report.Items.Count, i);
        }
    }
}
