using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Protocol.Tests.Gb32960;

/// <summary>Field values stated in the vector files (or asserted by their sources), decoded from the real frames.</summary>
public class Gb32960FieldTests
{
    private static Gb32960Frame Decode(string file, string title)
    {
        Assert.True(Gb32960Decoder.TryDecode(GbVectors.Bytes(file, title), out var frame, out var error), error.ToString());
        return frame;
    }

    private static T Body<T>(string file, string title) where T : Gb32960Body => Assert.IsType<T>(Decode(file, title).Body);

    private static DateTimeOffset Beijing(int y, int mo, int d, int h, int mi, int s) => new(y, mo, d, h, mi, s, TimeSpan.FromHours(8));

    private static void Near(double expected, Scaled actual, double tolerance = 1e-6)
    {
        Assert.True(actual.IsValid, $"expected {expected}, got {actual}");
        Assert.InRange(actual.Value, expected - tolerance, expected + tolerance);
    }

    [Fact]
    public void Login_with_two_subsystem_codes_carries_serial_iccid_and_codes()
    {
        var frame = Decode("node_protocol_test.md", "1. vehicle login");
        Assert.Equal("LFWADRJF011002346", frame.Vin.ToString());
        Assert.Equal(Gb32960Edition.V2016, frame.Edition);
        var login = Assert.IsType<VehicleLogin>(frame.Body);
        Assert.Equal(Beijing(2018, 6, 5, 11, 44, 29), login.Time.ToDateTimeOffset());
        Assert.Equal(1, login.LoginSerial);
        Assert.Equal("83605337981605490187", login.IccidText);
        Assert.Equal(2, login.SubsystemCount);
        Assert.Equal(5, login.CodeLength);
        Assert.Equal(["10001", "10002"], Enumerable.Range(0, 2).Select(login.CodeText));
    }

    [Fact]
    public void Login_with_one_thirteen_byte_code()
    {
        var login = Body<VehicleLogin>("java_getVinFromByteBuf.md", "1. vehicle login");
        Assert.Equal(25, login.LoginSerial);
        Assert.Equal("898602B5091630049414", login.IccidText);
        Assert.Equal(13, login.CodeLength);
        Assert.Equal("2016092000199", Assert.Single(login.Codes.Select((_, i) => login.CodeText(i))));
    }

    [Fact]
    public void Login_2025_groups_24_byte_codes_per_subsystem()
    {
        var one = Body<VehicleLogin>("rtm_con.md", "1. login2025");
        Assert.Equal(Gb32960Edition.V2025, one.Edition);
        Assert.Equal([1], one.CodesPerSubsystem!);
        Assert.Equal("0RJPEA00HAU0AAF131001955", one.CodeText(0));

        var several = Body<VehicleLogin>("rtm_con.md", "2. login2025");
        Assert.Equal(12, several.LoginSerial);
        Assert.Equal("89860924790023166606", several.IccidText);
        Assert.Equal([1, 2], several.CodesPerSubsystem!);
        Assert.Equal(2, several.SubsystemCount);
        Assert.Equal(3, several.Codes.Count);
        Assert.Equal("0RJPEA00HAU0AAF131001957", several.CodeText(2));

        var v2016 = Body<VehicleLogin>("rtm_con.md", "3. login2016");
        Assert.Null(v2016.CodesPerSubsystem);
        Assert.Equal(3, v2016.SubsystemCount);
        Assert.Equal(24, v2016.CodeLength);
    }

    [Fact]
    public void Realtime_frame_from_a_node_test_has_the_values_its_source_asserts()
    {
        var frame = Decode("node_protocol_test.md", "2. realtime");
        Assert.Equal("ERR08030000000000", frame.Vin.ToString());
        var report = Assert.IsType<RealtimeReport>(frame.Body);
        Assert.False(report.IsReissue);
        Assert.Equal(Beijing(2018, 6, 23, 12, 5, 2), report.Time.ToDateTimeOffset());
        Assert.Equal(
            [Gb32960InfoKind.VehicleData, Gb32960InfoKind.DriveMotors, Gb32960InfoKind.Location, Gb32960InfoKind.Extremes,
             Gb32960InfoKind.Alarms, Gb32960InfoKind.CellVoltages, Gb32960InfoKind.ProbeTemperatures, Gb32960InfoKind.Oem],
            report.Items.Select(i => i.Kind));

        var vehicle = (VehicleData)report.Items[0];
        Near(5, vehicle.SpeedKmh);
        Near(57.3, vehicle.OdometerKm);
        Near(700, vehicle.TotalVoltageV);
        Near(500, vehicle.TotalCurrentA);
        Near(50, vehicle.SocPercent);
        Assert.Equal(VehicleState.Started, vehicle.VehicleState);
        Assert.Equal(101, vehicle.BrakePedalRaw);

        var location = (Location)report.Items[2];
        Assert.True(location.IsFixValid);
        Near(120.009633, location.LongitudeDeg);
        Near(30.344348, location.LatitudeDeg);

        var cells = (CellVoltages)report.Items[5];
        Assert.Equal(17, Assert.Single(cells.Packs).CellVoltagesRaw.Count);
        var probes = (ProbeTemperatures)report.Items[6];
        Near(40, Assert.Single(probes.Packs).TemperatureC(0));
        var oem = (OemData)report.Items[7];
        Assert.Equal(0x80, oem.Type);
        Assert.Equal(48, oem.Data.Length);
    }

    [Fact]
    public void Real_2016_vehicle_frame_decodes_motors_extremes_cells_and_temperatures()
    {
        var report = Body<RealtimeReport>("rtm_con.md", "35. data_2016");
        Assert.Equal(Beijing(2025, 10, 11, 19, 8, 18), report.Time.ToDateTimeOffset());
        var vehicle = (VehicleData)report.Items[0];
        Near(12.2, vehicle.SpeedKmh);
        Near(258.9, vehicle.OdometerKm);
        Near(780.9, vehicle.TotalVoltageV);
        Near(5.1, vehicle.TotalCurrentA);
        Near(85, vehicle.SocPercent);
        Near(16, vehicle.BrakePedalPercent);
        Assert.Equal(14, vehicle.Gear.Position);

        var motors = ((DriveMotors)report.Items[1]).Motors;
        Assert.Equal(2, motors.Count);
        Assert.Equal(MotorState.Consuming, motors[0].State);
        Near(16, motors[0].ControllerTemperatureC);
        Near(857, motors[0].SpeedRpm);
        Near(2.0, motors[0].TorqueNm);
        Near(21, motors[0].MotorTemperatureC);
        Near(775.5, motors[0].ControllerInputVoltageV);
        Near(2.0, motors[0].ControllerDcBusCurrentA);
        Assert.Equal(MotorState.Generating, motors[1].State);
        Near(-32.5, motors[1].TorqueNm);
        Near(-2.5, motors[1].ControllerDcBusCurrentA);

        var extremes = (Extremes)report.Items[3];
        Assert.Equal(2, extremes.MaxVoltageCell);
        Near(4.063, extremes.MaxCellVoltageV);
        Assert.Equal(20, extremes.MinVoltageCell);
        Near(4.060, extremes.MinCellVoltageV);
        Near(18, extremes.MaxTemperatureC);
        Near(16, extremes.MinTemperatureC);

        var alarms = (Alarms)report.Items[4];
        Assert.Equal(0, alarms.MaxLevel);
        Assert.Equal(Gb32960GeneralAlarms.None, alarms.GeneralFlags);

        var pack = Assert.Single(((CellVoltages)report.Items[5]).Packs);
        Assert.Equal(192, pack.TotalCellCount);
        Assert.Equal(1, pack.StartIndex);
        Assert.Equal(192, pack.CellVoltagesRaw.Count);
        Near(780.9, pack.VoltageV);
        Near(5.1, pack.CurrentA);

        Assert.Equal(48, Assert.Single(((ProbeTemperatures)report.Items[6]).Packs).ProbeCount);
        var oem = (OemData)report.Items[7];
        Assert.Equal(0x83, oem.Type);
        Assert.Equal(29, oem.Data.Length);
        Assert.True(report.UnknownTail.IsEmpty);
        Assert.Null(report.Signature);
    }

    [Fact]
    public void Real_2025_vehicle_frame_uses_the_2025_offsets_and_carries_an_rsa_signature()
    {
        var frame = Decode("rtm_con.md", "36. data_2025");
        Assert.Equal(Gb32960Edition.V2025, frame.Edition);
        Assert.Equal("HAUV4BGN6S5002219", frame.Vin.ToString());
        var report = Assert.IsType<RealtimeReport>(frame.Body);
        Assert.Equal(Beijing(2025, 10, 28, 14, 45, 47), report.Time.ToDateTimeOffset());

        var vehicle = (VehicleData)report.Items[0];
        Near(713.8, vehicle.TotalVoltageV);
        Near(2.2, vehicle.TotalCurrentA);
        Near(75, vehicle.SocPercent);
        Near(15591.0, vehicle.OdometerKm);
        Assert.True(vehicle.Gear.IsPositionValid);

        var motors = ((DriveMotors)report.Items[1]).Motors;
        Near(0, motors[0].SpeedRpm);
        Near(0, motors[0].TorqueNm);
        Near(-0.5, motors[1].TorqueNm);

        var location = (Location)report.Items[2];
        Assert.Equal(CoordinateSystem.Gcj02, location.CoordinateSystem);
        Assert.False(location.IsFixValid);

        var pack = Assert.Single(((CellVoltages)report.Items[4]).Packs);
        Assert.Equal(180, pack.CellVoltagesRaw.Count);
        Near(3.957, pack.CellVoltageV(0));
        Near(713.8, pack.VoltageV);
        Near(2.2, pack.CurrentA);
        Assert.Equal(48, Assert.Single(((ProbeTemperatures)report.Items[5]).Packs).ProbeCount);

        var signature = Assert.IsType<Gb32960Signature>(report.Signature);
        Assert.Equal(Gb32960Signature.Rsa, signature.Algorithm);
        Assert.Equal(256, signature.R.Length);
        Assert.Equal(0, signature.S.Length);
        Assert.True(report.AfterSignature.IsEmpty);
    }

    [Fact]
    public void Pack_of_168_cells_at_3_32_volts_with_location_and_motor_speed_below_zero()
    {
        var report = Body<RealtimeReport>("wz_iot_farm_ResolveUtilsTest.md", "1. realtime");
        var vehicle = (VehicleData)report.Items[0];
        Near(556.8, vehicle.TotalVoltageV);
        Near(9.9, vehicle.TotalCurrentA);
        Near(90, vehicle.SocPercent);
        Near(-14, ((DriveMotors)report.Items[1]).Motors[0].SpeedRpm);
        var location = (Location)report.Items[2];
        Near(115.886894, location.LongitudeDeg);
        Near(28.679375, location.LatitudeDeg);
        var pack = Assert.Single(((CellVoltages)report.Items[5]).Packs);
        Assert.Equal(168, pack.CellVoltagesRaw.Count);
        Assert.All(Enumerable.Range(0, 168), i => Near(3.320, pack.CellVoltageV(i)));
    }

    [Fact]
    public void Repeated_info_type_is_kept_in_order()
    {
        var v2016 = Body<RealtimeReport>("rtm_con.md", "31. weird message 2016");
        Assert.Equal(2, v2016.Items.Count);
        Assert.All(v2016.Items, i => Assert.Equal(Alarms.TypeCode2016, i.Type));
        var first = (Alarms)v2016.Items[0];
        Assert.Equal(3, first.MaxLevel);
        Assert.Equal(Gb32960GeneralAlarms.TemperatureDifference | Gb32960GeneralAlarms.BatteryHighTemperature, first.GeneralFlags);
        Assert.Equal(7, first.OtherFaults.Count);

        // The two 2025 alarm blocks differ in their alarm lists, so their order is observable.
        var v2025 = Body<RealtimeReport>("rtm_con.md", "32. weird message 2025");
        Assert.Equal([Alarms.TypeCode2025, Alarms.TypeCode2025], v2025.Items.Select(i => i.Type));
        Assert.Equal([new AlarmEntry(0, 2), new AlarmEntry(1, 3)], ((Alarms)v2025.Items[0]).Entries);
        Assert.Equal([new AlarmEntry(4, 2), new AlarmEntry(1, 3)], ((Alarms)v2025.Items[1]).Entries);
    }

    [Fact]
    public void Alarms_2025_add_a_list_of_alarm_levels()
    {
        var alarms = (Alarms)Assert.Single(Body<RealtimeReport>("rtm_con.md", "14. data2025 with only warnings").Items);
        Assert.Equal(3, alarms.MaxLevel);
        Assert.Equal([0x00010003u, 0x00080002, 0x00080003, 0x000C0004, 0x000D0001, 0x00060920, 0x000A000B], alarms.OtherFaults);
        Assert.Equal([new AlarmEntry(0, 3), new AlarmEntry(1, 3)], alarms.Entries);
    }

    [Fact]
    public void Sentinels_are_statuses_never_numbers()
    {
        var vehicle = (VehicleData)Assert.Single(Body<RealtimeReport>("rtm_con.md", "5. data2016 with only whole").Items);
        Assert.Equal(VehicleState.Invalid, vehicle.VehicleState);
        Assert.Equal(ValueStatus.Invalid, vehicle.SpeedKmh.Status);
        Assert.Equal(ValueStatus.Invalid, vehicle.TotalCurrentA.Status);
        Assert.Null(vehicle.OdometerKm.AsNullable);

        var motors = ((DriveMotors)Assert.Single(Body<RealtimeReport>("rtm_con.md", "6. data2016 with only e-motor").Items)).Motors;
        Assert.Equal(255, motors[0].Number);
        Assert.Equal(ValueStatus.Invalid, motors[0].TorqueNm.Status);
        Assert.Equal(MotorState.Abnormal, motors[1].State);
        Assert.Equal(ValueStatus.Abnormal, motors[1].ControllerTemperatureC.Status);

        var location = (Location)Assert.Single(Body<RealtimeReport>("rtm_con.md", "10. data2016 with only gnss").Items);
        Assert.False(location.IsFixValid);
        Assert.True(location.IsSouth && location.IsWest);
        Assert.Equal(ValueStatus.Invalid, location.LongitudeDeg.Status);
    }

    [Fact]
    public void Split_cell_packs_keep_start_index_and_frame_cell_count()
    {
        var cells = (CellVoltages)Assert.Single(Body<RealtimeReport>("rtm_con.md", "15. data2016 with only cell").Items);
        Assert.Equal([4, 3], cells.Packs.Select(p => p.CellVoltagesRaw.Count));
        Assert.All(cells.Packs, p => Assert.Equal(0xFFFF, p.StartIndex));
        Assert.Equal(ValueStatus.Invalid, cells.Packs[0].CellVoltageV(0).Status);

        var probes = (ProbeTemperatures)Assert.Single(Body<RealtimeReport>("rtm_con.md", "17. data2016 with only probe temps").Items);
        Assert.Equal([0, 5], probes.Packs.Select(p => p.ProbeCount));
        Assert.Equal([255, 5], probes.Packs.Select(p => (int)p.Number));
    }

    [Fact]
    public void Logouts_and_platform_login_carry_their_serials_and_credentials()
    {
        Assert.Equal(2050, Body<VehicleLogout>("rtm_con.md", "21. logout2016").LoginSerial);
        Assert.Equal(1, Body<VehicleLogout>("wz_iot_farm_ResolveUtilsTest.md", "3. vehicle logout").LoginSerial);
        Assert.Equal(2050, Body<PlatformLogout>("rtm_con.md", "26. plt_logout2025").LoginSerial);

        var login = Body<PlatformLogin>("rtm_con.md", "23. plt_login2016");
        Assert.Equal(Beijing(2025, 10, 27, 20, 2, 2), login.Time.ToDateTimeOffset());
        Assert.Equal(2050, login.LoginSerial);
        Assert.Equal("HAUV4BGN6S50", login.UsernameText);
        Assert.Equal("HAUV4BGN6S5002219HAU"u8.ToArray(), login.Password.ToArray());
        Assert.Equal(0x01, login.EncryptionRule);

        Assert.Equal("SmallChi518", Body<PlatformLogin>("SmallChi_JTNewEnergy.md", "6. cmd 0x05").UsernameText);
    }

    [Fact]
    public void Activation_and_its_response_2025()
    {
        var activation = Body<Activation>("rtm_con.md", "29. activation2025");
        Assert.Equal(Beijing(2025, 6, 23, 15, 6, 22), activation.Time.ToDateTimeOffset());
        Assert.Equal("1234567812345678", activation.ChipIdText);
        Assert.Equal(259, activation.PublicKey.Length);
        Assert.Equal("HGLH3ACF1PA714408", activation.Vin.ToString());
        Assert.Equal(Gb32960Signature.Rsa, activation.Signature.Algorithm);
        Assert.Equal(256, activation.Signature.R.Length);

        var response = Body<ActivationResponse>("rtm_con.md", "30. activation2025 ack");
        Assert.Equal(ActivationResponse.ResultFailed, response.Result);
        Assert.Equal(ActivationResponse.InfoOk, response.Info);
    }

    [Fact]
    public void Replies_keep_the_platform_time_and_any_echo()
    {
        var ack = Decode("rtm_con.md", "27. ack2016");
        Assert.True(ack.IsReply);
        var reply = Assert.IsType<Reply>(ack.Body);
        Assert.Equal(Beijing(2025, 10, 27, 20, 2, 2), reply.Time!.Value.ToDateTimeOffset());
        Assert.True(reply.Payload.IsEmpty);

        var heartbeat = Assert.IsType<Reply>(Decode("node_protocol_test.md", "4. heartbeat RESPONSE").Body);
        Assert.Null(heartbeat.Time);
        Assert.True(heartbeat.Payload.IsEmpty);

        // A library-built realtime frame flagged "success" is a reply by its flag: kept as time + raw payload.
        var flagged = Decode("SmallChi_JTNewEnergy.md", "4. cmd 0x02");
        Assert.Equal(208 - 6, Assert.IsType<Reply>(flagged.Body).Payload.Length);
    }

    [Fact]
    public void Unknown_bytes_before_the_signature_are_kept_as_the_tail()
    {
        var report = Body<RealtimeReport>("rtm_con.md", "34. weird message 2025");
        Assert.Equal(6, report.Items.Count);
        Assert.Equal(0x79, report.UnknownTail.Span[0]);
        Assert.Equal(33, report.UnknownTail.Length);
        Assert.NotNull(report.Signature);
        Assert.Equal(256, report.Signature.R.Length);
    }

    [Fact]
    public void Unknown_bytes_after_the_signature_are_kept_after_it()
    {
        var report = Body<RealtimeReport>("rtm_con.md", "33. weird message 2025");
        Assert.True(report.UnknownTail.IsEmpty);
        Assert.NotNull(report.Signature);
        Assert.Equal(0x82, report.AfterSignature.Span[0]);
        Assert.Equal(38, report.AfterSignature.Length);
    }
}
