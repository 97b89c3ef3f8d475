using System.Text.Json;
using Ingest.Downlink;
using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;

namespace Ingest.Tests.Downlink;

/// <summary>
/// The command body as an operator writes it, read into protocol terms, and the frames built from it decoded back
/// by the product's own decoders (the encoder and the decoder are the contract, as for every frame).
/// </summary>
public class CommandRequestTests
{
    private static readonly CommandOptions Options = new();
    private static readonly GbTime Time = new(26, 12, 6, 10, 11, 12);
    private static readonly Vin Vin = Vin.Parse("LDOWNLINK00000001");

    private static (DownlinkCommand? Command, Dictionary<string, string[]> Problems, TimeSpan Timeout) Read(string json, CommandOptions? options = null)
    {
        var problems = new Dictionary<string, string[]>();
        using var document = JsonDocument.Parse(json);
        CommandRequest.TryRead(document.RootElement, options ?? Options, problems, out var command, out var timeout);
        return (command, problems, timeout);
    }

    private static FrameHeader Binding(FrameMarker marker) =>
        new(marker, HeaderLayout.Gb32960, 0x01, Gb32960ResponseFlags.Command, Vin, 0, Gb32960Encryption.None, 0);

    [Fact]
    public void A_query_takes_names_hex_ids_and_numbers_in_ascending_order_and_asks_for_a_domains_length_with_it()
    {
        var (command, problems, timeout) = Read("""{"command":"query","parameters":["heartbeat_period_s","0x02",5]}""");
        Assert.Empty(problems);
        Assert.Equal(CommandKind.Query, command!.Kind);
        Assert.Equal(new byte[] { 0x02, 0x04, 0x05, 0x09 }, command.QueryIds);
        Assert.Equal(Options.ReplyTimeout, timeout);

        var frame = CommandFrames.Encode(command, Binding(FrameMarker.Hash), Time, Options);
        Assert.True(Gb32960Decoder.TryDecode(frame, out var decoded, out var error), error.ToString());
        Assert.Equal(Gb32960Edition.V2016, decoded.Edition);
        Assert.Equal(Gb32960ResponseFlags.Command, decoded.ResponseFlag);
        var query = Assert.IsType<ParameterQuery>(decoded.Body);
        Assert.Equal(Time, query.Time);
        Assert.Equal(command.QueryIds, query.Ids);
    }

    [Fact]
    public void A_set_encodes_words_bytes_and_a_domain_with_its_length_and_reads_back_through_the_decoder_in_the_2025_edition()
    {
        var (command, problems, _) = Read("""{"command":"set","parameters":{"report_period_s":10,"0x09":30,"platform_domain":"ev.example.com","platform_port":32960},"timeout_s":2.5}""");
        Assert.Empty(problems);
        Assert.Equal("set report_period_s=10, heartbeat_period_s=30, platform_domain=ev.example.com, platform_port=32960",
            command!.Summary);

        var frame = CommandFrames.Encode(command, Binding(FrameMarker.Dollar), Time, Options);
        Assert.Equal((byte)'$', frame[0]);
        Assert.True(Gb32960Decoder.TryDecode(frame, out var decoded, out var error), error.ToString());
        Assert.Equal(Gb32960Edition.V2025, decoded.Edition);
        var set = Assert.IsType<ParameterSet>(decoded.Body);
        Assert.Equal(new byte[] { 0x02, 0x04, 0x05, 0x06, 0x09 }, set.Parameters.Select(p => p.Id));
        Assert.Equal(10u, set.Parameters[0].Number);
        Assert.Equal(14u, set.Parameters[1].Number);
        Assert.Equal("ev.example.com", set.Parameters[2].Text);
        Assert.Equal(32960u, set.Parameters[3].Number);
        Assert.Equal(30u, set.Parameters[4].Number);
    }

    [Theory]
    [InlineData("""{"command":"reboot"}""", "command")]
    [InlineData("""{"command":"query","parameters":["no_such_thing"]}""", "parameters[0]")]
    [InlineData("""{"command":"query","parameters":[2,"report_period_s"]}""", "parameters[1]")]
    [InlineData("""{"command":"query","parameters":[17]}""", "parameters[0]")]
    [InlineData("""{"command":"query","parameters":{"a":1}}""", "parameters")]
    [InlineData("""{"command":"set","parameters":{}}""", "parameters")]
    [InlineData("""{"command":"set","parameters":{"report_period_s":65534}}""", "parameters.report_period_s")]
    [InlineData("""{"command":"set","parameters":{"report_period_s":0}}""", "parameters.report_period_s")]
    [InlineData("""{"command":"set","parameters":{"heartbeat_period_s":254}}""", "parameters.heartbeat_period_s")]
    [InlineData("""{"command":"set","parameters":{"heartbeat_period_s":"10"}}""", "parameters.heartbeat_period_s")]
    [InlineData("""{"command":"set","parameters":{"platform_domain_length":3}}""", "parameters.platform_domain_length")]
    [InlineData("""{"command":"set","parameters":{"firmware_version":"FW001"}}""", "parameters.firmware_version")]
    [InlineData("""{"command":"set","parameters":{"platform_domain":"héllo"}}""", "parameters.platform_domain")]
    [InlineData("""{"command":"set","parameters":{"0x02":10,"report_period_s":20}}""", "parameters.report_period_s")]
    [InlineData("""{"command":"control","control":"self_destruct"}""", "control")]
    [InlineData("""{"command":"control","control":"0x08"}""", "control")]
    [InlineData("""{"command":"control","control":"reset","alarm":{"level":1}}""", "alarm")]
    [InlineData("""{"command":"control","control":"alarm"}""", "alarm")]
    [InlineData("""{"command":"control","control":"alarm","alarm":{"level":300,"text":"x"}}""", "alarm.level")]
    [InlineData("""{"command":"control","control":"remote_upgrade","upgrade":{"url":"x"}}""", "upgrade.address")]
    [InlineData("""{"command":"control","control":"reset","arguments_hex":"00"}""", "arguments_hex")]
    [InlineData("""{"command":"query","parameters":[2],"colour":"red"}""", "colour")]
    [InlineData("""{"command":"query","parameters":[2],"timeout_s":0}""", "timeout_s")]
    [InlineData("""{"command":"query","parameters":[2],"timeout_s":121}""", "timeout_s")]
    [InlineData("""[1,2]""", "body")]
    public void An_unusable_body_names_the_field_and_sends_nothing(string json, string field)
    {
        var (command, problems, _) = Read(json);
        Assert.Null(command);
        Assert.True(problems.ContainsKey(field), $"problems: {string.Join("; ", problems.Select(p => $"{p.Key}: {string.Join(' ', p.Value)}"))}");
        Assert.All(problems.Values.SelectMany(v => v), message => Assert.False(string.IsNullOrWhiteSpace(message)));
    }

    [Fact]
    public void A_remote_upgrade_is_laid_out_as_the_decoder_reads_it_and_its_summary_holds_no_password()
    {
        var (command, problems, _) = Read("""
            {"command":"control","control":"remote_upgrade","upgrade":{"dial_point":"cmnet","user":"ota","password":"s3cret",
             "address":"10.0.0.8","port":2121,"manufacturer_id":"ACME","hardware_version":"HW001","firmware_version":"FW002",
             "url":"ftp://10.0.0.8/fw;v2.bin","timeout_min":30}}
            """);
        Assert.Empty(problems);
        Assert.DoesNotContain("s3cret", command!.Summary, StringComparison.Ordinal);

        var frame = CommandFrames.Encode(command, Binding(FrameMarker.Hash), Time, Options);
        Assert.True(Gb32960Decoder.TryDecode(frame, out var decoded, out var error), error.ToString());
        var control = Assert.IsType<TerminalControl>(decoded.Body);
        Assert.Equal(Gb32960ControlCommand.RemoteUpgrade, control.ControlCommand);
        Assert.True(control.TryGetRemoteUpgrade(out var upgrade));
        Assert.Equal(("cmnet", "ota", "s3cret"), (upgrade.DialPoint, upgrade.User, upgrade.Password));
        Assert.Equal(new byte[] { 0, 0, 10, 0, 0, 8 }, upgrade.Address.ToArray());
        Assert.Equal((ushort)2121, upgrade.Port);
        Assert.Equal(("ACME", "HW001", "FW002"), (upgrade.ManufacturerId, upgrade.HardwareVersion, upgrade.FirmwareVersion));
        Assert.Equal("ftp://10.0.0.8/fw;v2.bin", upgrade.Url);
        Assert.Equal((ushort)30, upgrade.TimeoutMin);
    }

    [Fact]
    public void An_alarm_and_an_argumentless_control_read_back_through_the_decoder()
    {
        var (alarm, problems, _) = Read("""{"command":"control","control":"alarm","alarm":{"level":2,"text":"service due"}}""");
        Assert.Empty(problems);
        Assert.True(Gb32960Decoder.TryDecode(CommandFrames.Encode(alarm!, Binding(FrameMarker.Hash), Time, Options), out var decoded, out _));
        Assert.True(Assert.IsType<TerminalControl>(decoded.Body).TryGetAlarm(out byte level, out string text));
        Assert.Equal((2, "service due"), (level, text));

        var (reset, resetProblems, _) = Read("""{"command":"control","control":"0x03"}""");
        Assert.Empty(resetProblems);
        Assert.True(Gb32960Decoder.TryDecode(CommandFrames.Encode(reset!, Binding(FrameMarker.Hash), Time, Options), out var resetFrame, out _));
        var control = Assert.IsType<TerminalControl>(resetFrame.Body);
        Assert.Equal(Gb32960ControlCommand.Reset, control.ControlCommand);
        Assert.True(control.Arguments.IsEmpty);
    }

    [Theory]
    [InlineData(Hj1239QueryLayout.TimeOnly, """{"command":"query"}""", 6)]
    [InlineData(Hj1239QueryLayout.TimeAndIds, """{"command":"query","parameters":["report_period_s"]}""", 8)]
    public void An_hj1239_query_is_command_0x80_with_the_terminals_software_version_and_the_configured_data_unit(
        Hj1239QueryLayout layout, string json, int dataLength)
    {
        var options = new CommandOptions { Hj1239QueryLayout = layout };
        var (command, problems, _) = Read(json, options);
        Assert.Empty(problems);
        var binding = new FrameHeader(FrameMarker.Hash, HeaderLayout.Hj1239, 0x01, 0, Vin, 0x11, Gb32960Encryption.None, 0);
        Assert.Null(CommandFrames.Unsupported(command!, binding, ListenerProtocol.Hj1239, options));

        var frame = CommandFrames.Encode(command!, binding, Time, options);
        Assert.True(Hj1239Decoder.TryDecode(frame, Hj1239Layout.Hj1239, out var decoded, out var error), error.ToString());
        Assert.Equal(Hj1239Command.ParameterQuery, decoded.Command);
        Assert.Equal(0x11, decoded.Header.SoftwareVersion);
        var raw = Assert.IsType<Hj1239RawBody>(decoded.Body);
        Assert.Equal(dataLength, raw.Bytes.Length);
        Assert.Equal(Time, GbTime.Read(raw.Bytes.Span));
    }

    [Fact]
    public void What_a_protocol_lacks_is_said_before_anything_is_sent()
    {
        var hj = new FrameHeader(FrameMarker.Hash, HeaderLayout.Hj1239, 0x01, 0, Vin, 0x01, Gb32960Encryption.None, 0);
        var (set, _, _) = Read("""{"command":"set","parameters":{"report_period_s":10}}""");
        var (control, _, _) = Read("""{"command":"control","control":"reset"}""");
        var (query, _, _) = Read("""{"command":"query","parameters":[2]}""");
        var (bareQuery, _, _) = Read("""{"command":"query"}""");

        Assert.Contains("no parameter set", CommandFrames.Unsupported(set!, hj, ListenerProtocol.Hj1239, Options), StringComparison.Ordinal);
        Assert.Contains("no terminal control", CommandFrames.Unsupported(control!, hj, ListenerProtocol.Hj1239, Options), StringComparison.Ordinal);
        Assert.Contains("TimeOnly", CommandFrames.Unsupported(query!, hj, ListenerProtocol.Hj1239, Options), StringComparison.Ordinal);
        Assert.Contains("Annex Q", CommandFrames.Unsupported(bareQuery!, hj, ListenerProtocol.Gb17691, Options), StringComparison.Ordinal);
        Assert.Contains("at least one", CommandFrames.Unsupported(bareQuery!, Binding(FrameMarker.Hash), ListenerProtocol.Gb32960, Options),
            StringComparison.Ordinal);
        Assert.Null(CommandFrames.Unsupported(set!, Binding(FrameMarker.Dollar), ListenerProtocol.Gb32960, Options));
    }
}
