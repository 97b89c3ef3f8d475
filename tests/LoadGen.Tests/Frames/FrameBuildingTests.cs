using System.Buffers.Binary;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;
using LoadGen.Frames;

namespace LoadGen.Tests.Frames;

public class FrameBuildingTests
{
    private const string Vin = "LZYTBGBW6J1014194";
    private static readonly DateTimeOffset At = new(2026, 3, 14, 9, 26, 53, TimeSpan.FromHours(8));

    public static TheoryData<TerminalProtocol> Protocols => new(TerminalProtocols.All);

    public static TheoryData<TerminalProtocol, string> MixesAndShapes => new()
    {
        { TerminalProtocol.Gb2016, "01,02,05,06,07,08,09" },
        { TerminalProtocol.Gb2016, "01,02,03,04,05,06,07,08,09,80" },
        { TerminalProtocol.Gb2016, "08" },
        { TerminalProtocol.Gb2016, "07x2,01" },
        { TerminalProtocol.Gb2025, "01,02,05,06,07,08" },
        { TerminalProtocol.Gb2025, "01,02,04,05,06,07,08,80" },
        { TerminalProtocol.Hj1239, "02x10,80" },
        { TerminalProtocol.Hj1239, "01,02,03,04,05,80" },
        { TerminalProtocol.Gb17691, "02x10" },
        { TerminalProtocol.Gb17691, "01,02,03,04,05" },
    };

    private static TerminalFrames Build(TerminalProtocol protocol, string? mix = null, int cells = 96, bool signed = true) =>
        TerminalFrames.Build(protocol, Vin, new FrameShape { Mix = mix is null ? null : InfoMix.Parse(mix), CellCount = cells, Signed = signed }, seed: 3);

    private static IEnumerable<FrameTemplate> All(TerminalFrames frames) =>
        new[] { frames.Login, frames.Data, frames.Logout, frames.Heartbeat }.OfType<FrameTemplate>();

    [Theory]
    [MemberData(nameof(MixesAndShapes))]
    public void Every_template_is_one_valid_frame_after_stamping(TerminalProtocol protocol, string mix)
    {
        var frames = Build(protocol, mix);
        frames.Login.Stamp(At, 5);
        frames.Data.Stamp(Commands.Realtime, At, At, 77);
        frames.Logout.Stamp(At, 5);

        foreach (var frame in All(frames))
        {
            Assert.True(FrameEncoding.HasValidCheck(frame.Span));
            Assert.True(WholeFrame.TryValidate(frame.Span, FramingOptions.Default, out var header, out var error), error.ToString());
            Assert.Equal(frame.Length, header.FrameLength);
            Assert.Equal(protocol.Layout(), header.Layout);
            Assert.Equal(protocol.Marker(), header.Marker);
            Assert.Equal(Vin, header.Vin.ToString());
            Assert.Equal(Gb32960Encryption.None, header.Encryption);
            Assert.True(header.IsCommand);

            var scan = FrameScanner.Scan(frame.Span, FramingOptions.Default);
            Assert.Equal(FrameScanStatus.Frame, scan.Status);
            Assert.Equal(frame.Length, scan.Length);
        }
    }

    [Fact]
    public void The_frames_of_a_terminal_stream_back_to_back_through_the_framer()
    {
        var frames = Build(TerminalProtocol.Gb2016);
        frames.Login.Stamp(At, 1);
        frames.Data.Stamp(Commands.Realtime, At, At, 1);
        frames.Logout.Stamp(At, 1);
        var stream = frames.Login.Span.ToArray().Concat(frames.Heartbeat!.Span.ToArray()).Concat(frames.Data.Span.ToArray()).Concat(frames.Logout.Span.ToArray()).ToArray();

        var commands = new List<byte>();
        var rest = stream.AsSpan();
        while (true)
        {
            var scan = FrameScanner.Scan(rest, FramingOptions.Default);
            if (scan.Status != FrameScanStatus.Frame)
            {
                Assert.Equal(FrameScanStatus.NeedMoreData, scan.Status);
                break;
            }
            commands.Add(scan.Header.Command);
            rest = rest[scan.Length..];
        }

        Assert.Equal(new byte[] { 0x01, 0x07, 0x02, 0x04 }, commands);
        Assert.True(rest.IsEmpty);
    }

    [Theory]
    [InlineData(TerminalProtocol.Gb2016, 96, 317)]   // 6 + 0x01 21 + 0x02 14 + 0x05 10 + 0x06 15 + 0x07 10 + 0x08 (2 + 10 + 192) + 0x09 (2 + 3 + 32)
    [InlineData(TerminalProtocol.Gb2016, 384, 903)]  // as above with 0x08 = 2 + (10 + 400) + (10 + 368): two subsystems of 200 and 184 cells
    [InlineData(TerminalProtocol.Gb2025, 96, 367)]   // 6 + 0x01 19 + 0x02 12 + 0x05 11 + 0x06 11 + 0x07 (2 + 7 + 192) + 0x08 (2 + 3 + 32) + signature 70
    [InlineData(TerminalProtocol.Hj1239, 96, 538)]   // 8 + ten 0x02 (1 + 6 + 37) + 0x80 (1 + 6 + 17) + R/S (1 + 32 + 1 + 32)
    [InlineData(TerminalProtocol.Gb17691, 96, 406)]  // 6 + ten 0x02 (1 + 2 + 37)
    public void Data_unit_length_follows_the_info_sizes_of_the_standard(TerminalProtocol protocol, int cells, int dataLength)
    {
        var frames = Build(protocol, cells: cells);

        Assert.Equal(dataLength, BinaryPrimitives.ReadUInt16BigEndian(frames.Data.Span[22..]));
        Assert.Equal(FrameHeader.Overhead + dataLength, frames.Data.Length);
    }

    [Theory]
    [InlineData(TerminalProtocol.Gb2016, 54)]   // time 6, serial 2, ICCID 20, 1 subsystem, code length 24, one 24-byte code
    [InlineData(TerminalProtocol.Gb2025, 54)]   // time 6, serial 2, ICCID 20, 1 subsystem, 1 code in it, one 24-byte code
    [InlineData(TerminalProtocol.Hj1239, 28)]
    [InlineData(TerminalProtocol.Gb17691, 28)]
    public void Login_data_unit_has_the_standard_length(TerminalProtocol protocol, int dataLength)
    {
        Assert.Equal(dataLength, BinaryPrimitives.ReadUInt16BigEndian(Build(protocol).Login.Span[22..]));
        Assert.Equal(8, BinaryPrimitives.ReadUInt16BigEndian(Build(protocol).Logout.Span[22..]));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Stamping_rewrites_time_serial_and_command_in_place(TerminalProtocol protocol)
    {
        var frames = Build(protocol);
        var data = frames.Data;
        data.Stamp(Commands.Realtime, At, At, 1);
        var first = data.Span.ToArray();
        var reissued = At.AddMinutes(-7);

        data.Stamp(Commands.Reissue, At.AddSeconds(30), reissued, 2);

        var second = data.Span;
        Assert.Equal(Commands.Reissue, second[2]);
        Assert.True(FrameEncoding.HasValidCheck(second));
        Assert.Equal(first.Length, second.Length);
        foreach (var collection in data.TimeFields.Where(f => f.Kind == TimeFieldKind.Collection))
        {
            Assert.Equal(GbTime.FromDateTimeOffset(reissued.AddSeconds(-collection.SecondsBefore)), GbTime.Read(second[collection.Offset..]));
        }
        foreach (var send in data.TimeFields.Where(f => f.Kind == TimeFieldKind.Send))
        {
            Assert.Equal(GbTime.FromDateTimeOffset(At.AddSeconds(30)), GbTime.Read(second[send.Offset..]));
        }
        // Bytes outside the stamped fields did not move.
        var stamped = new HashSet<int> { 2, second.Length - 1 };
        foreach (var f in data.TimeFields)
        {
            stamped.UnionWith(Enumerable.Range(f.Offset, GbTime.Size));
        }
        foreach (var f in data.SerialFields)
        {
            stamped.UnionWith([f.Offset, f.Offset + 1]);
        }
        for (int i = 0; i < first.Length; i++)
        {
            if (!stamped.Contains(i))
            {
                Assert.True(first[i] == second[i], $"byte {i} changed");
            }
        }
    }

    [Fact]
    public void Login_and_logout_carry_the_same_serial()
    {
        var frames = Build(TerminalProtocol.Gb2016);
        frames.Login.Stamp(At, 65_531);
        frames.Logout.Stamp(At.AddHours(1), 65_531);

        Assert.Equal(65_531, BinaryPrimitives.ReadUInt16BigEndian(frames.Login.Span[30..]));
        Assert.Equal(65_531, BinaryPrimitives.ReadUInt16BigEndian(frames.Logout.Span[30..]));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(65_531, 65_531)]
    [InlineData(65_532, 1)]
    [InlineData(131_062, 65_531)]
    public void Serials_wrap_within_1_to_65531(int value, int expected)
    {
        Assert.Equal(expected, FrameTemplate.WrapSerial(value));
    }

    [Fact]
    public void Different_seeds_give_different_values_and_the_same_seed_the_same_bytes()
    {
        var shape = new FrameShape();
        var a = TerminalFrames.Build(TerminalProtocol.Gb2016, Vin, shape, 1).Data;
        var b = TerminalFrames.Build(TerminalProtocol.Gb2016, Vin, shape, 1).Data;
        var c = TerminalFrames.Build(TerminalProtocol.Gb2016, Vin, shape, 2).Data;
        foreach (var t in new[] { a, b, c })
        {
            t.Stamp(Commands.Realtime, At, At, 1);
        }

        Assert.Equal(a.Span.ToArray(), b.Span.ToArray());
        Assert.NotEqual(a.Span.ToArray(), c.Span.ToArray());
    }

    [Theory]
    [InlineData(TerminalProtocol.Gb2025, "09")]
    [InlineData(TerminalProtocol.Gb2025, "03")]
    [InlineData(TerminalProtocol.Hj1239, "06")]
    [InlineData(TerminalProtocol.Gb2016, "0A")]
    public void An_info_type_the_protocol_cannot_carry_is_refused(TerminalProtocol protocol, string mix)
    {
        var shape = new FrameShape { Mix = InfoMix.Parse(mix) };

        Assert.NotNull(shape.Validate(protocol));
        Assert.Throws<ArgumentException>(() => TerminalFrames.Build(protocol, Vin, shape, 1));
    }

    [Theory]
    [InlineData("01,02,05", "01,02,05")]
    [InlineData("02x10, 80", "02x10,80")]
    [InlineData("0x08", "08")]
    public void Info_mixes_parse(string text, string normalised)
    {
        Assert.Equal(normalised, InfoMix.Parse(text).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("02x0")]
    [InlineData("02x101")]
    [InlineData("02x3x4")]
    public void Bad_info_mixes_are_refused(string text)
    {
        Assert.False(InfoMix.TryParse(text, out _, out _));
    }
}
