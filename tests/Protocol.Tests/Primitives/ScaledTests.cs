using Ingest.Protocol.Primitives;

namespace Protocol.Tests.Primitives;

public class ScaledTests
{
    [Theory]
    [InlineData(30022u, 0.1, -3000, 2.2)]            // 2025 total current
    [InlineData(2408129186u, 0.1, 0, 240812918.6)]   // HJ odometer, large
    [InlineData(35087u, 0.00390625, 0, 137.05859375)] // J1939 speed 1/256 km/h
    [InlineData(3u, 0.1, 0, 0.3)]
    [InlineData(116393330u, 1e-6, 0, 116.39333)]     // longitude
    [InlineData(9600u, 0.03125, -273, 27)]           // exhaust temperature
    [InlineData(4004u, 0.05, -200, 0.2)]             // NOx
    public void Scaled_values_are_the_numbers_the_terminal_meant_without_binary_noise(uint raw, double scale, double offset, double expected)
    {
        Assert.Equal(expected, Scaled.FromDWord(raw, scale, offset).Value);
    }

    [Theory]
    [InlineData(0xFEu, ValueStatus.Abnormal)]
    [InlineData(0xFFu, ValueStatus.Invalid)]
    [InlineData(0x64u, ValueStatus.Valid)]
    public void Byte_sentinels_are_statuses_not_numbers(uint raw, ValueStatus status)
    {
        var value = Scaled.FromByte((byte)raw, 1, -40);
        Assert.Equal(status, value.Status);
        Assert.Equal(status == ValueStatus.Valid ? 60 : null, value.AsNullable);
    }

    [Fact]
    public void A_byte_swapped_word_sentinel_is_abnormal_only_where_the_field_allows_it()
    {
        Assert.Equal(ValueStatus.Abnormal, Scaled.FromWord(0xFEFF, acceptSwapped: true).Status);
        Assert.Equal(ValueStatus.Valid, Scaled.FromWord(0xFEFF).Status);
        Assert.Equal(ValueStatus.Abnormal, Scaled.FromWord(0xFFFE).Status);
        Assert.Equal(ValueStatus.Invalid, Scaled.FromDWord(0xFFFFFFFF).Status);
    }

    /// <summary>Every scale and offset the two standards use (GB/T 32960 units and HJ 1239 EngineScaling).</summary>
    public static TheoryData<double> StandardFactors() =>
    [
        0, 1, -1, -40, -273, -1000, -2000, -3000, -20000, -32000, -125, -200,
        0.1, 0.4, 0.5, 0.01, 0.05, 0.001, 0.125, 0.03125, 1e-6, -1e-6, 0.0000305, 1.0 / 256,
    ];

    [Theory]
    [MemberData(nameof(StandardFactors))]
    public void The_short_cut_for_the_standard_scales_gives_the_decimals_the_general_rule_gives(double factor)
    {
        Assert.Equal(Scaled.DecimalDigitsByLoop(factor), Scaled.DecimalDigits(factor));
    }

    [Theory]
    [InlineData(0.001, 0)]        // GB/T 32960 cell voltage
    [InlineData(1, -40)]          // probe temperature
    [InlineData(0.1, -1000)]      // pack current
    [InlineData(1.0 / 256, 0)]    // J1939 speed
    [InlineData(0.5, 0)]
    [InlineData(1, -125)]
    [InlineData(0.125, 0)]
    [InlineData(0.05, 0)]
    [InlineData(0.05, -200)]
    [InlineData(0.4, 0)]
    [InlineData(0.03125, -273)]
    [InlineData(0.1, 0)]
    [InlineData(0.0000305, 0)]
    [InlineData(0.01, 0)]
    public void A_scale_rule_gives_the_very_numbers_of_the_per_value_conversion_for_every_raw_byte_and_word(double scale, double offset)
    {
        var rule = new ScaleRule(scale, offset);
        for (int raw = 0; raw <= ushort.MaxValue; raw++)
        {
            foreach (bool swapped in new[] { false, true })
            {
                var expected = Scaled.FromWord((ushort)raw, scale, offset, swapped);
                var actual = rule.FromWord((ushort)raw, swapped);
                Assert.Equal(expected.Status, actual.Status);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Value), BitConverter.DoubleToInt64Bits(actual.Value));
            }
            if (raw <= byte.MaxValue)
            {
                Assert.Equal(Scaled.FromByte((byte)raw, scale, offset), rule.FromByte((byte)raw));
            }
        }
        foreach (uint raw in new uint[] { 0, 1, 12345678, 0x7FFFFFFF, 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFF })
        {
            Assert.Equal(Scaled.FromDWord(raw, scale, offset), rule.FromDWord(raw));
        }
    }
}
