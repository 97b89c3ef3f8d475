using Ingest.Protocol.Hj1239;
using Protocol.Tests.Support;
using static Protocol.Tests.Hj1239.Hj1239Samples;

namespace Protocol.Tests.Hj1239;

public class Hj1239LayoutDetectionTests
{
    [Theory]
    [InlineData("boyunshikong_python_out.md", "1.")]
    [InlineData("quant_trade_Split_test.md", "1.")]
    public void Real_annex_q_realtime_frames_are_detected_as_annex_q(string file, string title)
    {
        var bytes = VectorCatalog.Find(file, title).Bytes;

        Assert.Equal(Hj1239Layout.AnnexQ, Hj1239LayoutDetection.DetectDataUnit(DataUnit(bytes)));
    }

    [Fact]
    public void Hj_frames_with_item_times_are_detected_as_hj()
    {
        Assert.Equal(Hj1239Layout.Hj1239, Hj1239LayoutDetection.DetectDataUnit(DataUnit(Hj1239Encoder.Encode(HjTenSamples()))));
        Assert.Equal(Hj1239Layout.Hj1239, Hj1239LayoutDetection.DetectDataUnit(DataUnit(Hj1239Encoder.Encode(HjEveryType(signed: false)))));
    }

    [Fact]
    public void A_data_unit_neither_layout_walks_is_undetermined()
    {
        var tiza = VectorCatalog.Find("tiza_sih_TestMain.md", "1.").Bytes;

        Assert.Equal(Hj1239Layout.Auto, Hj1239LayoutDetection.DetectDataUnit(DataUnit(tiza)));
        Assert.True(Hj1239LayoutDetection.IsDraft2019PerItemSignature(DataUnit(tiza), out int at));
        Assert.Equal(105, at);
    }

    [Fact]
    public void Real_frames_are_not_mistaken_for_the_2019_draft()
    {
        foreach (var v in HjVectors("decode"))
        {
            Assert.False(Hj1239LayoutDetection.IsDraft2019PerItemSignature(DataUnit(v.Bytes), out _), v.ToString());
        }
    }

    [Theory]
    [InlineData(Hj1239Command.Login, Hj1239Layout.Auto)]
    [InlineData(Hj1239Command.Logout, Hj1239Layout.Auto)]
    [InlineData(Hj1239Command.TimeSync, Hj1239Layout.Auto)]
    [InlineData(Hj1239Command.RemovalAlarm, Hj1239Layout.Hj1239)]
    [InlineData(Hj1239Command.Activation, Hj1239Layout.Hj1239)]
    [InlineData(Hj1239Command.ActivationResponse, Hj1239Layout.Hj1239)]
    [InlineData(Hj1239Command.ParameterQuery, Hj1239Layout.Hj1239)]
    public void Commands_without_layout_evidence_stay_undetermined_and_hj_only_commands_are_hj(byte command, Hj1239Layout expected)
    {
        Assert.Equal(expected, Hj1239LayoutDetection.Resolve(Hj1239Layout.Auto, command, new byte[28]));
        Assert.Equal(Hj1239Layout.AnnexQ, Hj1239LayoutDetection.Resolve(Hj1239Layout.AnnexQ, command, new byte[28]));
    }
}
