using Ingest.Protocol.Errors;
using Ingest.Protocol.Hj1239;
using Protocol.Tests.Support;
using static Protocol.Tests.Hj1239.Hj1239Samples;

namespace Protocol.Tests.Hj1239;

/// <summary>
/// Every shortened data unit, resealed so that framing passes, reaches the body decoders: it must give a typed
/// error, except where the cut falls on a boundary that leaves a shorter valid frame (after a whole item, before a
/// signature, an empty time sync).
/// </summary>
public class Hj1239TruncationTests
{
    public static TheoryData<Vector> RealFrames => Theory("decode");

    public static TheoryData<string> ConstructedFrames => ConstructedNames();

    [Theory]
    [MemberData(nameof(RealFrames))]
    public void Every_truncation_of_a_real_data_unit_is_typed(Vector v) => AssertEveryCut(v.Bytes, Hj1239Layout.AnnexQ);

    [Theory]
    [MemberData(nameof(ConstructedFrames))]
    public void Every_truncation_of_a_constructed_data_unit_is_typed(string name)
    {
        var frame = ConstructedByName(name);
        AssertEveryCut(Hj1239Encoder.Encode(frame), frame.Layout == Hj1239Layout.Auto ? Hj1239Layout.Hj1239 : frame.Layout);
    }

    private static void AssertEveryCut(byte[] bytes, Hj1239Layout layout)
    {
        Assert.True(Hj1239Decoder.TryDecode(bytes, layout, out var whole, out _));
        var boundaries = ValidCuts(whole, layout);
        var data = DataUnit(bytes);
        for (int n = 0; n < data.Length; n++)
        {
            var cut = WithDataUnit(bytes, data[..n]);
            bool decoded = Hj1239Decoder.TryDecode(cut, layout, out var frame, out var error);
            if (boundaries.Contains(n))
            {
                Assert.True(decoded, $"cut {n}: {error}");
                Assert.Equal(cut, Hj1239Encoder.Encode(frame!));
            }
            else
            {
                Assert.False(decoded, $"cut {n} decoded");
                Assert.Equal(DecodeErrorKind.Truncated, error.Kind);
                Assert.InRange(error.Offset, 24, 24 + n);
            }
        }
    }

    /// <summary>Data-unit lengths shorter than the whole that are themselves valid frames of the same command.</summary>
    private static HashSet<int> ValidCuts(Hj1239Frame frame, Hj1239Layout layout)
    {
        var cuts = new HashSet<int>();
        switch (frame.Body)
        {
            case Hj1239DataBody report:
                int at = Hj1239ItemWalker.HeaderSize(layout);
                cuts.Add(at);
                foreach (var item in report.Items)
                {
                    at += Hj1239ItemWalker.ItemPrefixSize(layout) + item.Unit.EncodedLength;
                    cuts.Add(at);
                }
                break;
            case Hj1239RemovalAlarmBody:
                cuts.Add(Hj1239RemovalAlarmBody.Length);
                break;
            case Hj1239TimeSyncBody:
                cuts.Add(0);
                break;
        }
        return cuts;
    }
}
