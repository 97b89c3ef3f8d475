using LoadGen.Vehicles;

namespace LoadGen.Tests.Vehicles;

public class VinTests
{
    /// <summary>Real VINs from the shared vectors (/work/shared/protocols/vectors) whose position 9 is a correct ISO 3779 check digit.</summary>
    public static TheoryData<string, string> RealVins => new()
    {
        { "LZYTBGBW6J1014194", "rust_vin_packet_test: vehicle login" },
        { "LG6ZDANH7EY208182", "boyunshikong_python_out: GB 17691 logout" },
        { "LGDCH91G8KA141269", "gb17691_login_bcc_script: GB 17691 login" },
        { "LGHC4V1D5HE205617", "guodongym_tools: realtime with fuel cell" },
        { "LFWADRJF011002346", "node_protocol_test: login with two subsystem codes" },
        { "LZYTUGEW5G1059545", "node_vehicleLogin_test: login" },
        { "LXVD3G2B6JA000205", "python_gbt_tool_cmd_login: docstring login" },
        { "LDP52A965JN427539", "python_socket_client: malformed login" },
        { "HAUV4BGN6S5002219", "rtm_con: real 2025 vehicle" },
        { "HGLH3ACF1PA714408", "rtm_con: 2016 frames" },
        { "LRDS6PEB3HR002350", "tyj_DeviceManagerServerTest: encrypted login" },
        { "LA9DHKMT5HBJXK236", "wz_iot_farm: 168-cell realtime" },
        { "LS6HA1041JG782724", "wz_iot_farm: login" },
        { "LA9BGZLF0JYYCK006", "wz_iot_farm: logout" },
        { "1M8GDM9AXKP042788", "the textbook example whose check digit is X" },
    };

    /// <summary>Identifiers in the vectors whose check digit does not hold: test VINs, platform codes and synthetic values.</summary>
    public static TheoryData<string, char, string> IdentifiersThatFail => new()
    {
        { "LJ8E3C1M6HD003401", '7', "java_getVinFromByteBuf: test login" },
        { "LMGFE1G0000000SY1", '8', "python_OTAGBData: synthetic, serial section is not numeric" },
        { "LEWPCA000JF260134", '9', "quant_trade_Split_test: synthetic values" },
        { "LWHTEST1234567895", '9', "tiza_sih_TestMain: 'TEST' VIN" },
        { "ERR08030000000000", '8', "node_protocol_test: device id, not a VIN" },
        { "H8220650000000000", '5', "node_protocol_test: device id, not a VIN" },
    };

    [Theory]
    [MemberData(nameof(RealVins))]
    public void Check_digit_of_a_real_vin_is_right(string vin, string source)
    {
        Assert.True(VinCheckDigit.IsValid(vin), source);
        Assert.Equal(vin[8], VinCheckDigit.Compute(vin));
    }

    [Theory]
    [MemberData(nameof(IdentifiersThatFail))]
    public void Test_vins_and_device_ids_in_the_vectors_fail_the_check(string id, char expected, string source)
    {
        Assert.False(VinCheckDigit.IsValid(id), source);
        Assert.Equal(expected, VinCheckDigit.Compute(id));
    }

    [Theory]
    [InlineData("LZYTBGBW6J101419")]
    [InlineData("LZYTBGBW6J10141944")]
    [InlineData("LZYTBGBW6J101419O")]
    [InlineData("LZYTBGBW6J101419I")]
    [InlineData("LZYTBGBW6J101419Q")]
    [InlineData("lzytbgbw6j1014194")]
    public void Malformed_vins_have_no_check_digit(string vin)
    {
        Assert.Null(VinCheckDigit.Compute(vin));
        Assert.False(VinCheckDigit.IsValid(vin));
    }

    [Fact]
    public void Generated_vins_are_valid_well_formed_and_distinct()
    {
        var generator = VinGenerator.ForSeed(42);
        var vins = Enumerable.Range(0, 5000).Select(generator.Create).ToList();

        Assert.All(vins, v =>
        {
            Assert.Equal(17, v.Length);
            Assert.True(VinCheckDigit.IsValid(v), v);
            Assert.True(Ingest.Protocol.Primitives.Vin.Parse(v).IsWellFormedVin(), v);
        });
        Assert.Equal(vins.Count, vins.Distinct().Count());
    }

    [Fact]
    public void The_terminal_index_is_the_serial_section()
    {
        var generator = new VinGenerator("LZYTBGBW0J1");

        Assert.Equal("LZYTBGBW6J1014194", generator.Create(14194));
        Assert.EndsWith("999999", generator.Create(VinGenerator.MaxTerminals - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.Create(VinGenerator.MaxTerminals));
    }

    [Fact]
    public void The_seed_decides_the_prefix()
    {
        Assert.Equal(VinGenerator.ForSeed(7).Create(1), VinGenerator.ForSeed(7).Create(1));
        var prefixes = Enumerable.Range(0, 50).Select(s => VinGenerator.ForSeed(s).Prefix).Distinct().Count();
        Assert.True(prefixes > 45, $"only {prefixes} distinct prefixes from 50 seeds");
    }

    [Theory]
    [InlineData("LZYTBGBW0J")]
    [InlineData("LZYTBGBW0JIX")]
    [InlineData("LZYTBGBO0J1")]
    public void A_prefix_that_cannot_start_a_vin_is_refused(string prefix)
    {
        Assert.Throws<ArgumentException>(() => new VinGenerator(prefix));
    }
}
