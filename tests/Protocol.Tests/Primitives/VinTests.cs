using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using Protocol.Tests.Support;

namespace Protocol.Tests.Primitives;

/// <summary>
/// The identifier's text keys storage, live state and logs, so different bytes must give different text: nothing
/// folded to '?' or trimmed away. Headers whose identifier is not text are junk to the framer.
/// </summary>
public class VinTests
{
    private static Vin FromBytes(string text) => Vin.Read(System.Text.Encoding.ASCII.GetBytes(text.PadRight(Vin.Length, '\0')));

    [Fact]
    public void A_nul_between_characters_and_a_question_mark_give_different_text()
    {
        var withNul = FromBytes("ABC\0DEFGHJKLMNPRS");
        var withMark = FromBytes("ABC?DEFGHJKLMNPRS");

        Assert.NotEqual(withNul.ToString(), withMark.ToString());
        Assert.Equal("ABC?DEFGHJKLMNPRS", withMark.ToString());
        Assert.Equal("0x4142430044454647484A4B4C4D4E505253", withNul.ToString());
    }

    [Theory]
    [InlineData("123456789")]                 // real terminals: eight 0x00 of padding
    [InlineData("123456789        ")]         // eight spaces: another identifier
    [InlineData("LZYTUGEW5G1059545")]
    [InlineData("A")]
    public void Text_identifiers_keep_every_character_and_drop_only_the_nul_padding(string text)
    {
        var vin = Vin.Parse(text);

        Assert.True(Vin.IsText(vin.AsSpan()));
        Assert.Equal(text, vin.ToString());
        Assert.Equal(vin, Vin.Parse(vin.ToString()));
    }

    [Theory]
    [InlineData("ABC\0DEFGHJKLMNPRS")]
    [InlineData("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0")]
    [InlineData("\0BCDEFGHJKLMNPRST")]
    [InlineData("ABCDEFGHJKLMNPRS\u007F")]
    public void Identifiers_that_are_not_text_are_shown_byte_exact_in_hex_and_parse_back(string raw)
    {
        var vin = FromBytes(raw);

        Assert.False(Vin.IsText(vin.AsSpan()));
        var text = vin.ToString();
        Assert.StartsWith(Vin.HexPrefix, text);
        Assert.Equal(Vin.HexPrefix.Length + 2 * Vin.Length, text.Length); // longer than any text form: they cannot meet
        Assert.Equal(vin, Vin.Parse(text));
    }

    [Fact]
    public void Identifiers_differing_in_one_byte_never_share_a_text_form()
    {
        var seen = new Dictionary<string, Vin>();
        var random = new Random(32960);
        byte[] alphabet = [0x00, 0x20, 0x3F, 0x41, 0x7E, 0x7F, 0xFF];
        for (int i = 0; i < 20_000; i++)
        {
            var bytes = new byte[Vin.Length];
            for (int j = 0; j < bytes.Length; j++)
            {
                bytes[j] = j < 3 ? alphabet[random.Next(alphabet.Length)] : (byte)'A';
            }
            var vin = Vin.Read(bytes);
            if (seen.TryGetValue(vin.ToString(), out var other))
            {
                Assert.Equal(other, vin);
            }
            seen[vin.ToString()] = vin;
        }
    }

    [Fact]
    public void A_header_whose_vin_has_a_nul_between_characters_is_junk_while_nul_padding_is_framed()
    {
        var padded = VectorCatalog.Find("SmallChi_JTNewEnergy.md", "8. cmd 0x07").Bytes; // "123456789" + eight 0x00
        var holed = (byte[])padded.Clone();
        holed[4 + 3] = 0x00; // "123\056789..." : the check byte is recomputed, so only the VIN is wrong
        FrameEncoding.Seal(holed);

        Assert.Equal(padded, Assert.Single(ScanTally.Run(padded).Frames));
        var tally = ScanTally.Run(holed);
        Assert.Empty(tally.Frames);
        Assert.Equal(holed.Length, tally.JunkBytes);
        Assert.False(WholeFrame.TryValidate(holed, FramingOptions.Default, out _, out var error));
        Assert.Equal(DecodeErrorKind.Header, error.Kind);
    }
}
