using Ingest.Protocol.Errors;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;
using Protocol.Tests.Support;
using static Protocol.Tests.Hj1239.Hj1239Samples;

namespace Protocol.Tests.Hj1239;

public class Hj1239CodecTests
{
    public static TheoryData<string> ConstructedFrames => ConstructedNames();

    [Theory]
    [MemberData(nameof(ConstructedFrames))]
    public void Constructed_frame_round_trips_through_bytes(string name)
    {
        var original = ConstructedByName(name);
        var bytes = Hj1239Encoder.Encode(original);

        Assert.True(Hj1239Decoder.TryDecode(bytes, original.Layout, out var decoded, out var error), error.ToString());
        Assert.Equal(original.Body.GetType(), decoded.Body.GetType());
        Assert.Equal(bytes, Hj1239Encoder.Encode(decoded));
        Assert.True(Hj1239Decoder.TryDecode(bytes, Hj1239Layout.Auto, out var auto, out _));
        Assert.Equal(bytes, Hj1239Encoder.Encode(auto));
    }

    [Fact]
    public void Hj_layout_keeps_send_time_serial_item_times_and_signature()
    {
        var bytes = Hj1239Encoder.Encode(HjEveryType());

        Assert.True(Hj1239Decoder.TryDecode(bytes, Hj1239Layout.Auto, out var frame, out _));

        Assert.Equal(Hj1239Layout.Hj1239, frame.Layout);
        var report = Assert.IsType<Hj1239DataBody>(frame.Body);
        Assert.Equal(Second(30), report.Time);
        Assert.Equal((ushort)7, report.Serial);
        Assert.Equal(new byte[] { 0x01, 0x02, 0x03, 0x04, 0x05, 0x80 }, report.Items.Select(i => i.InfoType));
        Assert.Equal(Enumerable.Range(20, 6).Select(Second), report.Items.Select(i => i.CollectionTime!.Value));
        Assert.All(report.Items, i => Assert.Null(i.Serial));
        Assert.NotNull(report.Signature);
        Assert.Equal(Signature().R.ToArray(), report.Signature.R.ToArray());
        Assert.Equal(Signature().S.ToArray(), report.Signature.S.ToArray());
        var obd = Assert.IsType<ObdInfo>(report.Items[0].Unit);
        Assert.Equal(new uint[] { 0x00012345, 0x0000ABCD }, obd.Dtcs.ToArray());
        Assert.Equal(ObdProtocol.SaeJ1939, obd.Protocol);
        Assert.True(obd.MilOn);
        Assert.Equal("CAL-0001", obd.CalibrationId);
    }

    [Fact]
    public void Hj_signature_follows_the_last_item_as_two_length_prefixed_32_byte_values()
    {
        var bytes = Hj1239Encoder.Encode(HjEveryType());

        // ... last item body | 0x20 | R(32) | 0x20 | S(32) | check byte
        Assert.Equal(0x20, bytes[^67]);
        Assert.Equal(Signature().R.ToArray(), bytes[^66..^34]);
        Assert.Equal(0x20, bytes[^34]);
        Assert.Equal(Signature().S.ToArray(), bytes[^33..^1]);
    }

    [Theory]
    [InlineData(Hj1239Layout.Hj1239)]
    [InlineData(Hj1239Layout.AnnexQ)]
    public void Ten_data_stream_items_are_kept_in_order(Hj1239Layout layout)
    {
        var original = layout == Hj1239Layout.Hj1239 ? HjTenSamples() : AnnexQTenSamples();

        Assert.True(Hj1239Decoder.TryDecode(Hj1239Encoder.Encode(original), layout, out var frame, out _));

        var report = Assert.IsType<Hj1239DataBody>(frame.Body);
        Assert.Equal(10, report.Items.Count);
        var speeds = report.Items.Select(i => Assert.IsType<DieselDataStream>(i.Unit).VehicleSpeedRaw).ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (ushort)(60 * 256 + i)), speeds);
        if (layout == Hj1239Layout.Hj1239)
        {
            Assert.Equal(Enumerable.Range(0, 10).Select(Second), report.Items.Select(i => i.CollectionTime!.Value));
        }
        else
        {
            Assert.Equal(Enumerable.Range(100, 10).Select(i => (ushort)i), report.Items.Select(i => i.Serial!.Value));
        }
    }

    [Fact]
    public void Byte_swapped_and_standard_sentinels_are_statuses_not_numbers()
    {
        var d = Diesel(0);

        Assert.Equal(ValueStatus.Abnormal, d.ScrOutletTemperatureC.Status); // 0xFEFF would be 1766.97 C
        Assert.Null(d.ScrOutletTemperatureC.AsNullable);
        Assert.Equal(ValueStatus.Invalid, d.FuelLevelPercent.Status);
        Assert.Equal(300, d.ScrInletTemperatureC.Value);
        var t = TwcNox();
        Assert.Equal(ValueStatus.Abnormal, t.EngineNetTorquePercent.Status);
        Assert.Equal(ValueStatus.Invalid, t.UpstreamOxygenEquivalenceRatio.Status);
        Assert.Equal(ValueStatus.Abnormal, t.CatalystTemperatureC.Status);
        Assert.Equal(ValueStatus.Invalid, t.OdometerKm.Status);
        Assert.False(t.Position.IsFixValid);
    }

    [Fact]
    public void Engineering_units_of_the_less_common_streams()
    {
        var si = SparkIgnition();
        Assert.Equal(30, si.VehicleSpeedKmh.Value);
        Assert.Equal(2000, si.EngineSpeedRpm.Value);
        Assert.Equal(0.45, si.DownstreamOxygenV.Value);
        Assert.Equal(650, si.CatalystTemperatureC.Value);
        Assert.Equal(-70, si.Position.LongitudeDeg.Value); // west
        Assert.Equal(-33, si.Position.LatitudeDeg.Value); // south
        Assert.Equal(120, TwcNox().NoxPpm.Value);
        var h = Hybrid();
        Assert.Equal(600, h.BatteryVoltageV.Value);
        Assert.Equal(50, h.BatteryCurrentA.Value);
        Assert.Equal(80, h.StateOfChargePercent.Value);
        var s = Supplementary();
        Assert.Equal(40, s.AcceleratorPedalPercent.Value);
        Assert.Equal(100_000, s.TotalFuelUsedL.Value);
        Assert.Equal(20, s.UreaTankTemperatureC.Value);
        Assert.Equal(400, s.DpfExhaustTemperatureC.Value);
    }

    [Fact]
    public void Removal_alarm_keeps_position_and_optional_signature()
    {
        foreach (bool signed in new[] { false, true })
        {
            Assert.True(Hj1239Decoder.TryDecode(Hj1239Encoder.Encode(RemovalAlarm(signed)), Hj1239Layout.Auto, out var frame, out _));
            var alarm = Assert.IsType<Hj1239RemovalAlarmBody>(frame.Body);
            Assert.Equal((ushort)9, alarm.Serial);
            Assert.Equal(112.186, alarm.Position.LongitudeDeg.Value);
            Assert.Equal(-32.134, alarm.Position.LatitudeDeg.Value);
            Assert.Equal(signed, alarm.Signature is not null);
            Assert.Equal(Hj1239Layout.Hj1239, frame.Layout);
        }
    }

    [Fact]
    public void Activation_keeps_chip_id_public_key_vin_and_signature()
    {
        Assert.True(Hj1239Decoder.TryDecode(Hj1239Encoder.Encode(Activation()), Hj1239Layout.AnnexQ, out var frame, out _));

        var activation = Assert.IsType<Hj1239ActivationBody>(frame.Body);
        Assert.Equal("CHIP000000000042", activation.ChipId);
        Assert.Equal(64, activation.PublicKey.Length);
        Assert.Equal(TestVin, activation.Vin);
        Assert.Equal(32, activation.Signature.R.Length);
    }

    [Fact]
    public void Activation_response_keeps_status_and_reason()
    {
        Assert.True(Hj1239Decoder.TryDecode(Hj1239Encoder.Encode(ActivationResponse()), Hj1239Layout.Hj1239, out var frame, out _));

        var response = Assert.IsType<Hj1239ActivationResponseBody>(frame.Body);
        Assert.Equal(Hj1239ActivationResponseBody.StatusFailure, response.Status);
        Assert.Equal(Hj1239ActivationResponseBody.ReasonVinError, response.Reason);
    }

    [Fact]
    public void Time_sync_request_is_empty_and_reply_carries_the_time()
    {
        var request = Hj1239Frame.Create(Hj1239Command.TimeSync, TestVin, 1, Hj1239Layout.Auto, Hj1239TimeSyncBody.Request);
        var requestBytes = Hj1239Encoder.Encode(request);
        Assert.Equal(25, requestBytes.Length);
        Assert.True(Hj1239Decoder.TryDecode(requestBytes, Hj1239Layout.Auto, out var decoded, out _));
        Assert.Null(Assert.IsType<Hj1239TimeSyncBody>(decoded.Body).PlatformTime);

        var replyBytes = Hj1239Encoder.Encode(TimeSyncReply());
        Assert.Equal(31, replyBytes.Length);
        Assert.True(Hj1239Decoder.TryDecode(replyBytes, Hj1239Layout.Auto, out var reply, out _));
        Assert.Equal(T0, Assert.IsType<Hj1239TimeSyncBody>(reply.Body).PlatformTime);
    }

    [Theory]
    [InlineData(Hj1239Command.Login, 0x03, Hj1239RawReason.Encrypted)]
    [InlineData(Hj1239Command.Realtime, 0x02, Hj1239RawReason.Encrypted)]
    [InlineData(Hj1239Command.ParameterQuery, 0x01, Hj1239RawReason.UndefinedBody)]
    [InlineData(0x81, 0x01, Hj1239RawReason.UnknownCommand)]
    [InlineData(0x82, 0x01, Hj1239RawReason.UnknownCommand)]
    public void Undecodable_data_unit_is_kept_raw_and_reencodes_identically(byte command, byte encryption, Hj1239RawReason reason)
    {
        // 128 bytes: a length both RSA (whole 64-byte blocks) and SM2 (96 bytes or more) can produce.
        var data = Enumerable.Range(0, 128).Select(i => (byte)(i * 37)).ToArray();
        var bytes = Hj1239Encoder.Encode(Hj1239Frame.Create(command, TestVin, 1, Hj1239Layout.Auto,
            new Hj1239RawBody(reason, data), encryption));

        Assert.True(Hj1239Decoder.TryDecode(bytes, Hj1239Layout.Hj1239, out var frame, out _));

        var raw = Assert.IsType<Hj1239RawBody>(frame.Body);
        Assert.Equal(reason, raw.Reason);
        Assert.Equal(data, raw.Bytes.ToArray());
        Assert.Equal(bytes, Hj1239Encoder.Encode(frame));
    }

    [Theory]
    [InlineData(0xFE)]
    [InlineData(0xFF)]
    public void An_abnormal_or_invalid_encryption_byte_is_an_encrypted_error_in_both_protocols(byte marker)
    {
        // Issue 10 item 5: HJ read such a data unit as plaintext while GB rejected it. One rule now: the terminal
        // itself says its encryption state is unknown, so the bytes are kept raw and not decoded.
        var hj = VectorCatalog.Find("quant_trade_Split_test.md", "1.").Bytes;
        var gb = VectorCatalog.Find("node_protocol_test.md", "2. realtime").Bytes;
        hj[21] = marker;
        gb[21] = marker;
        FrameEncoding.Seal(hj);
        FrameEncoding.Seal(gb);

        Assert.False(Hj1239Decoder.TryDecode(hj, Hj1239Layout.Auto, out _, out var hjError));
        Assert.False(Ingest.Protocol.Gb32960.Gb32960Decoder.TryDecode(gb, out _, out var gbError));

        Assert.Equal(DecodeErrorKind.Encrypted, hjError.Kind);
        Assert.Equal(DecodeErrorKind.Encrypted, gbError.Kind);
        Assert.Equal(21, hjError.Offset);
        Assert.Equal(gbError.Offset, hjError.Offset);
    }

    [Fact]
    public void Gb32960_frame_is_a_header_error_not_an_hj_frame()
    {
        var gb = VectorCatalog.Find("SmallChi_JTNewEnergy.md", "1.").Bytes;

        Assert.False(Hj1239Decoder.TryDecode(gb, Hj1239Layout.Auto, out _, out var error));
        Assert.Equal(DecodeErrorKind.Header, error.Kind);
    }

    [Fact]
    public void Flipped_check_byte_is_a_checksum_error_at_the_last_byte()
    {
        var bytes = Hj1239Encoder.Encode(Login());
        bytes[^1] ^= 0x5A;

        Assert.False(Hj1239Decoder.TryDecode(bytes, Hj1239Layout.Auto, out _, out var error));
        Assert.Equal(new DecodeError(DecodeErrorKind.Checksum, bytes.Length - 1, bytes[^1] ^ 0x5A, bytes[^1]), error);
    }

    [Fact]
    public void Login_with_an_extra_byte_is_trailing_bytes_at_the_end_of_the_iccid()
    {
        var login = Hj1239Encoder.Encode(Login());
        var longer = WithDataUnit(login, [.. DataUnit(login), 0x00]);

        Assert.False(Hj1239Decoder.TryDecode(longer, Hj1239Layout.Auto, out _, out var error));
        Assert.Equal(DecodeErrorKind.TrailingBytes, error.Kind);
        Assert.Equal(24 + 28, error.Offset);
    }

    [Fact]
    public void Unknown_info_type_stops_the_walk_with_its_offset_and_code()
    {
        var frame = Hj1239Encoder.Encode(AnnexQTenSamples());
        var data = DataUnit(frame).ToArray();
        int third = 6 + 2 * (3 + DieselDataStream.Length);
        data[third] = 0x42;

        Assert.False(Hj1239Decoder.TryDecode(WithDataUnit(frame, data), Hj1239Layout.AnnexQ, out _, out var error));
        Assert.Equal(new DecodeError(DecodeErrorKind.UnknownInfoType, 24 + third, -1, 0x42), error);
    }

    [Fact]
    public void Forged_dtc_count_in_a_short_obd_body_is_truncated()
    {
        var frame = Hj1239Encoder.Encode(Hj1239Frame.Create(Hj1239Command.Realtime, TestVin, 1, Hj1239Layout.AnnexQ,
            new Hj1239DataBody(false, T0, null, [Hj1239InfoItem.AnnexQ(1, Obd())])));
        var data = DataUnit(frame).ToArray();
        data[^1] = ObdInfo.MaxDtcCount;

        Assert.False(Hj1239Decoder.TryDecode(WithDataUnit(frame, data), Hj1239Layout.AnnexQ, out _, out var error));
        Assert.Equal(new DecodeError(DecodeErrorKind.Truncated, 24 + 6, 3 + 96 + 4 * 253, 3 + 96), error);
    }

    [Fact]
    public void Invalid_dtc_count_carries_no_list()
    {
        var obd = new ObdInfo { DtcCountRaw = 0xFE };
        var frame = Hj1239Frame.Create(Hj1239Command.Realtime, TestVin, 1, Hj1239Layout.AnnexQ,
            new Hj1239DataBody(false, T0, null, [Hj1239InfoItem.AnnexQ(1, obd), Hj1239InfoItem.AnnexQ(2, Hybrid())]));
        var bytes = Hj1239Encoder.Encode(frame);

        Assert.True(Hj1239Decoder.TryDecode(bytes, Hj1239Layout.AnnexQ, out var decoded, out _));
        var item = Assert.IsType<ObdInfo>(((Hj1239DataBody)decoded.Body).Items[0].Unit);
        Assert.Null(item.DtcCount);
        Assert.Equal(0xFE, item.DtcCountRaw);
        Assert.Equal(bytes, Hj1239Encoder.Encode(decoded));
    }

    [Fact]
    public void Encrypted_frame_with_an_empty_data_unit_is_still_typed()
    {
        var bytes = Hj1239Encoder.Encode(Hj1239Frame.Create(Hj1239Command.TimeSync, TestVin, 1, Hj1239Layout.Auto,
            Hj1239TimeSyncBody.Request, encryption: 0x03));

        Assert.True(Hj1239Decoder.TryDecode(bytes, Hj1239Layout.Auto, out var frame, out _));
        Assert.IsType<Hj1239TimeSyncBody>(frame.Body);
    }

    [Fact]
    public void Decoding_from_a_scanned_header_and_data_unit_matches_whole_frame_decoding()
    {
        var bytes = Hj1239Encoder.Encode(HjEveryType());
        var scan = FrameScanner.Scan(bytes, FramingOptions.Default);

        Assert.Equal(FrameScanStatus.Frame, scan.Status);
        Assert.True(Hj1239Decoder.TryDecode(scan.Header, DataUnit(bytes), Hj1239Layout.Hj1239, out var frame, out _));
        Assert.Equal(bytes, Hj1239Encoder.Encode(frame));
    }

    [Fact]
    public void Encoder_writes_into_a_buffer_writer_what_it_returns_as_an_array()
    {
        var frame = HjTenSamples();
        var writer = new System.Buffers.ArrayBufferWriter<byte>();

        int written = Hj1239Encoder.Encode(frame, writer);

        Assert.Equal(Hj1239Encoder.GetEncodedLength(frame), written);
        Assert.Equal(Hj1239Encoder.Encode(frame), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Encoder_refuses_frames_it_cannot_write_faithfully()
    {
        var annexQItems = ((Hj1239DataBody)AnnexQTenSamples().Body).Items;
        var hjItems = ((Hj1239DataBody)HjTenSamples().Body).Items;

        // Annex Q items in an HJ frame, and the reverse.
        Assert.Throws<ArgumentException>(() => Hj1239Encoder.Encode(Hj1239Frame.Create(Hj1239Command.Realtime, TestVin, 1,
            Hj1239Layout.Hj1239, new Hj1239DataBody(false, T0, 1, annexQItems))));
        Assert.Throws<ArgumentException>(() => Hj1239Encoder.Encode(Hj1239Frame.Create(Hj1239Command.Realtime, TestVin, 1,
            Hj1239Layout.AnnexQ, new Hj1239DataBody(false, T0, null, hjItems))));
        // A signature in Annex Q, an undetermined layout, a body under the wrong command.
        Assert.Throws<ArgumentException>(() => Hj1239Encoder.Encode(Hj1239Frame.Create(Hj1239Command.Realtime, TestVin, 1,
            Hj1239Layout.AnnexQ, new Hj1239DataBody(false, T0, null, annexQItems, Signature()))));
        Assert.Throws<ArgumentException>(() => Hj1239Encoder.Encode(Hj1239Frame.Create(Hj1239Command.Realtime, TestVin, 1,
            Hj1239Layout.Auto, new Hj1239DataBody(false, T0, null, annexQItems))));
        Assert.Throws<ArgumentException>(() => Hj1239Encoder.Encode(Hj1239Frame.Create(Hj1239Command.Logout, TestVin, 1,
            Hj1239Layout.Auto, new Hj1239LoginBody(T0, 1, new byte[20]))));
        Assert.Throws<ArgumentException>(() => new Hj1239LoginBody(T0, 1, new byte[19]));
        Assert.Throws<ArgumentException>(() => new ObdInfo { CvnBytes = new byte[17] });
    }
}
