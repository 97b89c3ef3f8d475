using Ingest.Protocol.Errors;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Protocol.Tests.Support;
using static Protocol.Tests.Hj1239.Hj1239Samples;

namespace Protocol.Tests.Hj1239;

public class Hj1239ItemWalkerTests
{
    [Fact]
    public void Walker_yields_items_with_frame_offsets_times_and_bodies()
    {
        var bytes = Hj1239Encoder.Encode(HjEveryType());
        var walker = new Hj1239ItemWalker(DataUnit(bytes), Hj1239Layout.Hj1239);

        Assert.Equal(Second(30), walker.Time);
        Assert.Equal((ushort)7, walker.Serial);
        int expectedOffset = 24 + 8;
        var types = new List<byte>();
        while (walker.TryReadNext(out var item))
        {
            Assert.Equal(expectedOffset, item.Offset);
            Assert.Equal(item.Type, bytes[item.Offset]);
            Assert.Equal(Second(20 + types.Count), item.CollectionTime);
            Assert.True(Hj1239InfoTypes.TryGetBodyLength(item.Type, item.Body, out int length));
            Assert.Equal(length, item.Body.Length);
            types.Add(item.Type);
            expectedOffset += 7 + item.Body.Length;
        }

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 0x80 }, types);
        Assert.True(walker.Completed);
        Assert.Equal(DecodeError.None, walker.Error);
        Assert.True(walker.HasSignature);
        Assert.Equal(expectedOffset, walker.SignatureOffset);
        Assert.Equal(Signature().R.ToArray(), walker.SignatureR.ToArray());
        Assert.Equal(Signature().S.ToArray(), walker.SignatureS.ToArray());
        Assert.Equal(expectedOffset - 24, walker.SignedBytes.Length);
    }

    [Fact]
    public void Annex_q_items_carry_their_serials()
    {
        var bytes = VectorCatalog.Find("quant_trade_Split_test.md", "1.").Bytes;
        var walker = new Hj1239ItemWalker(DataUnit(bytes), Hj1239Layout.AnnexQ);

        Assert.True(walker.TryReadNext(out var obd));
        Assert.Equal((ushort)50358, obd.Serial);
        Assert.Equal(96, obd.Body.Length);
        Assert.True(walker.TryReadNext(out var diesel));
        Assert.Equal((ushort)24450, diesel.Serial);
        Assert.True(diesel.TryDecode(out var unit));
        Assert.IsType<DieselDataStream>(unit);
        Assert.False(walker.TryReadNext(out _));
        Assert.True(walker.Completed);
        Assert.False(walker.HasSignature);
    }

    [Fact]
    public void Auto_walker_resolves_the_layout_from_the_bytes()
    {
        var hj = Hj1239Encoder.Encode(HjTenSamples());
        var annexQ = VectorCatalog.Find("quant_trade_Split_test.md", "1.").Bytes;

        Assert.Equal(Hj1239Layout.Hj1239, new Hj1239ItemWalker(DataUnit(hj), Hj1239Layout.Auto).Layout);
        Assert.Equal(Hj1239Layout.AnnexQ, new Hj1239ItemWalker(DataUnit(annexQ), Hj1239Layout.Auto).Layout);
    }

    [Fact]
    public void Walker_stops_at_a_malformed_item_and_says_why()
    {
        var bytes = Hj1239Encoder.Encode(AnnexQTenSamples());
        var cut = DataUnit(bytes)[..(6 + 3 * 40 + 10)];
        var walker = new Hj1239ItemWalker(cut, Hj1239Layout.AnnexQ);

        int count = 0;
        while (walker.TryReadNext(out _))
        {
            count++;
        }

        Assert.Equal(3, count);
        Assert.False(walker.Completed);
        Assert.Equal(new DecodeError(DecodeErrorKind.Truncated, 24 + 6 + 3 * 40, 40, 10), walker.Error);
        Assert.False(walker.TryReadNext(out _));
    }

    [Fact]
    public void Walker_reports_a_data_unit_shorter_than_its_header()
    {
        var walker = new Hj1239ItemWalker(new byte[7], Hj1239Layout.Hj1239);

        Assert.False(walker.TryReadNext(out _));
        Assert.Equal(new DecodeError(DecodeErrorKind.Truncated, 24 + 7, 8, 7), walker.Error);
    }

    [Fact]
    public void Walking_a_ten_item_frame_allocates_nothing()
    {
        var bytes = Hj1239Encoder.Encode(HjTenSamples());
        Walk(bytes, Hj1239Layout.Auto); // JIT and tiering first

        long before = GC.GetAllocatedBytesForCurrentThread();
        int items = 0;
        for (int i = 0; i < 100; i++)
        {
            items += Walk(bytes, Hj1239Layout.Hj1239) + Walk(bytes, Hj1239Layout.Auto);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(2000, items);
        Assert.Equal(0, allocated);
    }

    private static int Walk(byte[] frame, Hj1239Layout layout)
    {
        var walker = new Hj1239ItemWalker(DataUnit(frame), layout);
        int count = 0;
        while (walker.TryReadNext(out var item))
        {
            count += item.Body.Length > 0 ? 1 : 0;
        }
        return walker.Completed ? count : -1;
    }
}
