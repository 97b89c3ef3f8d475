using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Gb32960.InfoUnits;
using Protocol.Tests.Support;
using static Protocol.Tests.Gb32960.Gb32960PropertyTests;

namespace Protocol.Tests.Gb32960;

/// <summary>Cut, forged and odd input: typed errors at the right offset, bounded allocation, documented leniency.</summary>
public class Gb32960RobustnessTests
{
    public static TheoryData<Vector> Frames => GbVectors.Theory("decode", "lenient", "reject", "checksum-error");

    public static TheoryData<Vector> Decodable => GbVectors.Theory("decode", "lenient");

    [Theory]
    [MemberData(nameof(Frames))]
    public void Every_prefix_of_a_frame_is_a_typed_error(Vector v)
    {
        var bytes = v.Bytes;
        for (int k = 0; k < bytes.Length; k++)
        {
            Assert.False(Gb32960Decoder.TryDecode(bytes.AsSpan(0, k), out _, out var error));
            Assert.Contains(error.Kind, new[] { DecodeErrorKind.Truncated, DecodeErrorKind.Checksum, DecodeErrorKind.Length, DecodeErrorKind.Header });
        }
    }

    [Theory]
    [MemberData(nameof(Decodable))]
    public void Every_truncation_of_a_data_unit_is_a_typed_error_unless_it_ends_on_an_item_boundary(Vector v)
    {
        var bytes = v.Bytes;
        var data = bytes.AsSpan(24, bytes.Length - 25).ToArray();
        bool isCommand = bytes[3] == Gb32960ResponseFlags.Command && bytes[21] == Gb32960Encryption.None;
        var edition = bytes[0] == 0x24 ? Gb32960Edition.V2025 : Gb32960Edition.V2016;
        bool realtime = bytes[2] is 0x02 or 0x03;
        var boundaries = realtime ? ItemBoundaries(data, edition) : [];

        for (int k = 0; k < data.Length; k++)
        {
            var cut = Reseal(bytes, data.AsSpan(0, k));
            AssertContract(cut);
            if (!isCommand || v.Expect == "lenient")
            {
                continue;
            }
            bool ok = Gb32960Decoder.TryDecode(cut, out _, out var error);
            if (realtime)
            {
                Assert.True(ok == boundaries.Contains(k), $"cut at {k}: {error}");
            }
            else
            {
                // Fixed layouts (login, logout, platform login, activation, ...) need every byte.
                Assert.False(ok, $"cut at {k} decoded");
            }
            if (!ok)
            {
                Assert.Equal(DecodeErrorKind.Truncated, error.Kind);
                Assert.InRange(error.Offset, 24, 24 + k);
            }
        }
    }

    private static HashSet<int> ItemBoundaries(byte[] data, Gb32960Edition edition)
    {
        var walker = new Gb32960InfoWalker(data, edition);
        var set = new HashSet<int> { 6 };
        while (walker.TryReadNext(out var item))
        {
            set.Add(item.Offset + 1 + item.Body.Length);
        }
        return set;
    }

    public static TheoryData<string, byte, byte, byte[]> ForgedCounts
    {
        get
        {
            byte[] time = [25, 1, 2, 3, 4, 5];
            byte[] iccid = new byte[20];
            return new TheoryData<string, byte, byte, byte[]>
            {
                { "2016 login 255 codes of 255 bytes", 0x23, 0x01, [.. time, 0, 1, .. iccid, 255, 255, 0x41] },
                { "2025 login 255 x 255 codes", 0x24, 0x01, [.. time, 0, 1, .. iccid, 255, .. Enumerable.Repeat((byte)255, 255)] },
                { "2016 motors 255", 0x23, 0x02, [.. time, 0x02, 255, 1, 2, 3] },
                { "2016 fuel cell 65535 probes", 0x23, 0x02, [.. time, 0x03, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1] },
                { "2016 cells 255 packs", 0x23, 0x02, [.. time, 0x08, 255, 1, 0, 0, 0, 0, 0, 200, 0, 1, 200, 0x0F] },
                { "2016 probes 65535", 0x23, 0x02, [.. time, 0x09, 1, 1, 0xFF, 0xFF, 0x41] },
                { "2016 alarms 252 codes", 0x23, 0x02, [.. time, 0x07, 0, 0, 0, 0, 0, 252, 1, 2] },
                { "2016 OEM 65535 bytes", 0x23, 0x02, [.. time, 0x80, 0xFF, 0xFF, 1, 2, 3] },
                { "2025 cells 65535", 0x24, 0x02, [.. time, 0x07, 1, 1, 0, 0, 0, 0, 0xFF, 0xFF, 0x0F, 0x75] },
                { "2025 signature R 65535", 0x24, 0x02, [.. time, 0xFF, 2, 0xFF, 0xFF, 1, 2, 3] },
                { "2025 activation key 65535", 0x24, 0x09, [.. time, .. new byte[16], 0xFF, 0xFF, 1, 2] },
                { "2025 key sync 65535", 0x24, 0x0B, [5, 0xFF, 0xFF, 1, 2] },
                { "parameter set 255", 0x23, 0x81, [.. time, 255, 0x01, 0, 1] },
                { "parameter answer 255", 0x23, 0x80, [.. time, 255, 0x04, 200, 0x05, 1, 2] },
            };
        }
    }

    [Theory]
    [MemberData(nameof(ForgedCounts))]
    public void A_forged_count_is_truncated_without_allocating_for_it(string name, byte marker, byte command, byte[] data)
    {
        var edition = marker == 0x24 ? Gb32960Edition.V2025 : Gb32960Edition.V2016;
        var frame = Seal(edition, command, command == 0x80 ? (byte)0x01 : Gb32960ResponseFlags.Command, data);
        Gb32960Decoder.TryDecode(frame, out _, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool ok = Gb32960Decoder.TryDecode(frame, out var result, out var error);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.False(ok, name);
        Assert.Equal(DecodeErrorKind.Truncated, error.Kind);
        Assert.Equal(data, Assert.IsType<RawBody>(result!.Body).Data.ToArray());
        Assert.True(allocated < 2048 + data.Length, $"{name}: {allocated} bytes allocated");
    }

    [Fact]
    public void A_2016_frame_with_trailing_unknown_bytes_decodes_and_keeps_them_as_its_tail()
    {
        var frame = GbVectors.Bytes("rtm_con.md", "5. data2016 with only whole");
        var data = frame.AsSpan(24, frame.Length - 25).ToArray();
        var extended = Reseal(frame, [.. data, 0x0A, 0x01, 0x02]);

        Assert.True(Gb32960Decoder.TryDecode(extended, out var decoded, out _));
        var report = Assert.IsType<RealtimeReport>(decoded.Body);
        Assert.Single(report.Items);
        Assert.Equal(new byte[] { 0x0A, 0x01, 0x02 }, report.UnknownTail.ToArray());
        Assert.Equal(extended, Gb32960Encoder.Encode(decoded));

        var walker = new Gb32960InfoWalker(extended.AsSpan(24, extended.Length - 25), Gb32960Edition.V2016);
        while (walker.TryReadNext(out _))
        {
        }
        Assert.Equal(DecodeErrorKind.UnknownInfoType, walker.Error.Kind);
    }

    [Fact]
    public void A_2016_frame_with_trailing_bytes_that_start_a_known_item_is_truncated()
    {
        var frame = GbVectors.Bytes("rtm_con.md", "5. data2016 with only whole");
        var data = frame.AsSpan(24, frame.Length - 25).ToArray();
        Assert.False(Gb32960Decoder.TryDecode(Reseal(frame, [.. data, 0x05, 0x00]), out _, out var error));
        Assert.Equal(DecodeErrorKind.Truncated, error.Kind);
        Assert.Equal(24 + data.Length, error.Offset);
    }

    [Fact]
    public void A_2025_fuel_cell_item_has_no_known_layout_and_is_kept_raw_up_to_the_signature()
    {
        byte[] data = [25, 1, 2, 3, 4, 5, 0x04, 0x12, 0x34, 0x03, 9, 8, 7, 6, 0xFF, 0x02, 0x00, 0x02, 0xAA, 0xBB, 0x00, 0x00];
        var frame = Seal(Gb32960Edition.V2025, 0x02, Gb32960ResponseFlags.Command, data);
        Assert.True(Gb32960Decoder.TryDecode(frame, out var decoded, out _));
        var report = Assert.IsType<RealtimeReport>(decoded.Body);
        Assert.Equal(Gb32960InfoKind.Engine, Assert.Single(report.Items).Kind);
        Assert.Equal(new byte[] { 0x03, 9, 8, 7, 6 }, report.UnknownTail.ToArray());
        Assert.Equal(new byte[] { 0xAA, 0xBB }, report.Signature!.R.ToArray());
        Assert.Equal(frame, Gb32960Encoder.Encode(decoded));
    }

    [Fact]
    public void A_2025_signature_cut_short_is_truncated()
    {
        byte[] data = [25, 1, 2, 3, 4, 5, 0x04, 0x12, 0x34, 0xFF, 0x02, 0x01, 0x00, 0xAA];
        Assert.False(Gb32960Decoder.TryDecode(Seal(Gb32960Edition.V2025, 0x02, 0xFE, data), out _, out var error));
        Assert.Equal(DecodeErrorKind.Truncated, error.Kind);
        Assert.Equal(24 + 13, error.Offset);
    }

    [Fact]
    public void Custom_commands_are_kept_raw_and_reported_unknown()
    {
        var frame = Seal(Gb32960Edition.V2016, 0xC5, Gb32960ResponseFlags.Command, [1, 2, 3]);
        Assert.False(Gb32960Decoder.TryDecode(frame, out var decoded, out var error));
        Assert.Equal(DecodeErrorKind.UnknownCommand, error.Kind);
        Assert.Equal(2, error.Offset);
        Assert.Equal(frame, Gb32960Encoder.Encode(decoded!));

        // A framer that does not accept the custom range calls the same bytes a bad header.
        Assert.False(Gb32960Decoder.TryDecode(frame, FramingOptions.Default, out decoded, out error));
        Assert.Equal(DecodeErrorKind.Header, error.Kind);
        Assert.Null(decoded);
    }

    [Fact]
    public void Hj1239_frames_are_not_gb32960_frames()
    {
        var hj = VectorCatalog.Find("gb17691_login_bcc_script.md", "1. GB17691 vehicle login").Bytes;
        Assert.False(Gb32960Decoder.TryDecode(hj, out var frame, out var error));
        Assert.Equal(DecodeErrorKind.Header, error.Kind);
        Assert.Null(frame);
    }

    [Fact]
    public void Parameter_query_and_its_answer_are_told_apart_by_length()
    {
        byte[] time = [25, 1, 2, 3, 4, 5];
        var query = Seal(Gb32960Edition.V2016, 0x80, 0xFE, [.. time, 2, 0x01, 0x05]);
        Assert.True(Gb32960Decoder.TryDecode(query, out var q, out _));
        Assert.Equal(new byte[] { 0x01, 0x05 }, Assert.IsType<ParameterQuery>(q.Body).Ids);

        // Terminals answer with flag 0x01, or (known firmware bug) 0xFE: both are parameter lists.
        foreach (byte flag in new byte[] { 0x01, 0xFE })
        {
            var answer = Seal(Gb32960Edition.V2016, 0x80, flag, [.. time, 3, 0x01, 0x03, 0xE8, 0x04, 3, 0x05, (byte)'a', (byte)'.', (byte)'b']);
            Assert.True(Gb32960Decoder.TryDecode(answer, out var a, out _));
            var list = Assert.IsType<ParameterQueryResult>(a.Body);
            Assert.Equal(1000u, list.Parameters[0].Number);
            Assert.Equal("a.b", list.Parameters[2].Text);
        }
    }

    [Fact]
    public void A_parameter_outside_the_table_is_an_invalid_value_at_its_id()
    {
        byte[] data = [25, 1, 2, 3, 4, 5, 2, 0x09, 30, 0x42, 1];
        Assert.False(Gb32960Decoder.TryDecode(Seal(Gb32960Edition.V2016, 0x81, 0xFE, data), out _, out var error));
        Assert.Equal(DecodeErrorKind.InvalidValue, error.Kind);
        Assert.Equal(24 + 9, error.Offset);
        Assert.Equal(0x42, error.Actual);
    }

    [Fact]
    public void Remote_upgrade_arguments_are_read_by_position_even_when_binary_fields_hold_a_semicolon()
    {
        byte[] args =
        [
            .. "CMNET;user;pw;"u8, 0, 0, 10, 59, 0, 1, (byte)';', 0x1F, 0x90, (byte)';', .. "ABCD;"u8, .. "HW001;"u8, .. "FW002;"u8,
            .. "ftp://x/y;z.bin"u8, (byte)';', 0x00, 0x3B,
        ];
        var frame = Seal(Gb32960Edition.V2016, 0x82, 0xFE, [25, 1, 2, 3, 4, 5, 0x01, .. args]);
        Assert.True(Gb32960Decoder.TryDecode(frame, out var decoded, out _));
        var control = Assert.IsType<TerminalControl>(decoded.Body);
        Assert.True(control.TryGetRemoteUpgrade(out var upgrade));
        Assert.Equal("CMNET", upgrade.DialPoint);
        Assert.Equal(new byte[] { 0, 0, 10, 59, 0, 1 }, upgrade.Address.ToArray());
        Assert.Equal(8080, upgrade.Port);
        Assert.Equal("FW002", upgrade.FirmwareVersion);
        Assert.Equal("ftp://x/y;z.bin", upgrade.Url);
        Assert.Equal(59, upgrade.TimeoutMin);
    }
}
