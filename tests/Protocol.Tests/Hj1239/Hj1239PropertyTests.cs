using CsCheck;
using Ingest.Protocol.Hj1239;
using static Protocol.Tests.Hj1239.Hj1239Generators;

namespace Protocol.Tests.Hj1239;

public class Hj1239PropertyTests
{
    private static readonly Hj1239Layout[] Layouts = [Hj1239Layout.Auto, Hj1239Layout.AnnexQ, Hj1239Layout.Hj1239];

    static Hj1239PropertyTests()
    {
        // Decode each kind once so JIT and type loading are not counted as decoder allocations below.
        foreach (var (_, frame) in Hj1239Samples.Constructed())
        {
            var bytes = Hj1239Encoder.Encode(frame);
            foreach (var layout in Layouts)
            {
                Hj1239Decoder.TryDecode(bytes, layout, out _, out _);
            }
        }
    }

    [Fact]
    public void Random_valid_frames_of_both_layouts_encode_decode_encode_identically()
    {
        Frame.Sample(frame =>
        {
            var bytes = Hj1239Encoder.Encode(frame);

            Assert.True(Hj1239Decoder.TryDecode(bytes, frame.Layout, out var decoded, out var error), error.ToString());
            Assert.Equal(frame.Body.GetType(), decoded.Body.GetType());
            Assert.Equal(frame.Layout, decoded.Layout);
            Assert.Equal(bytes, Hj1239Encoder.Encode(decoded));

            Assert.True(Hj1239Decoder.TryDecode(bytes, Hj1239Layout.Auto, out var auto, out error), error.ToString());
            Assert.Equal(bytes, Hj1239Encoder.Encode(auto));
        }, iter: 5000, print: f => Convert.ToHexString(Hj1239Encoder.Encode(f)));
    }

    [Fact]
    public void Arbitrary_data_units_never_throw_and_whatever_decodes_reencodes_identically()
    {
        HeaderOverRandomData.Sample(DecodeSafely, iter: 20000, print: Convert.ToHexString);
    }

    [Fact]
    public void Mutated_frames_never_throw_and_whatever_decodes_reencodes_identically()
    {
        MutatedFrame.Sample(DecodeSafely, iter: 20000, print: Convert.ToHexString);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        Gen.Byte.Array[0, 120].Sample(bytes =>
        {
            foreach (var layout in Layouts)
            {
                Hj1239Decoder.TryDecode(bytes, layout, out _, out _);
            }
        }, iter: 20000, print: Convert.ToHexString);
    }

    private static void DecodeSafely(byte[] bytes)
    {
        foreach (var layout in Layouts)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            bool decoded = Hj1239Decoder.TryDecode(bytes, layout, out var frame, out var error);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            // Allocation follows the bytes present, never a count read from them.
            Assert.True(allocated <= 16L * bytes.Length + 2048, $"{allocated} bytes allocated for a {bytes.Length}-byte frame");
            if (decoded)
            {
                Assert.Equal(bytes, Hj1239Encoder.Encode(frame!));
            }
            else
            {
                Assert.True(error.IsError);
                Assert.InRange(error.Offset, 0, bytes.Length);
            }
        }
    }
}
