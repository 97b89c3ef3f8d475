using System.Text.Json;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Sinks.ClickHouse.Schema;
using Ingest.Tests.Infrastructure;

namespace Ingest.Tests.Sinks.ClickHouse;

public sealed class ClickHouseRowsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Received = new(2024, 3, 9, 10, 20, 30, TimeSpan.Zero);
    private ClickHouseTestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await ClickHouseTestDatabase.CreateAsync();
        await new ClickHouseSchema(_db.Database).EnsureAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Raw_frame_bytes_and_header_fields_read_back_as_written()
    {
        byte[] frame = [0x23, 0x23, 0x01, 0xFE, 0x00, 0xFF, 0x27, 0x5C, 0x0A, 0x80];
        var rows = new ClickHouseRowBuffers();
        rows.FramesRaw.Add(new FrameRawRow
        {
            Node = "node-a", SpoolOffset = long.MaxValue - 1, ReceivedAt = Received, Vin = "LSVAU2180N2183294",
            Protocol = StoredProtocol.Hj1239, Edition = 2021, Command = 0x02, ReplyFlag = 0xFE, Encryption = 0x01,
            DeviceTime = null, Listener = "hj1239", RemoteEndpoint = "10.0.0.7:40000", FrameBytes = frame,
        });

        await InsertAllAsync(rows);
        var row = Assert.Single(await _db.QueryJsonAsync(
            $"SELECT node, spool_offset, toUnixTimestamp(received_at) AS received_at, vin, protocol, edition, command, reply_flag, " +
            $"encryption, device_time, listener, remote_endpoint, hex(frame_bytes) AS frame_hex FROM {_db.Database.Qualified("frames_raw")} FINAL"));

        Assert.Equal("node-a", row.GetProperty("node").GetString());
        Assert.Equal((long.MaxValue - 1).ToString(), Text(row, "spool_offset"));
        Assert.Equal(Received.ToUnixTimeSeconds(), row.GetProperty("received_at").GetInt64());
        Assert.Equal("hj1239", row.GetProperty("protocol").GetString());
        Assert.Equal(2021, row.GetProperty("edition").GetInt32());
        Assert.Equal(0xFE, row.GetProperty("reply_flag").GetInt32());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("device_time").ValueKind);
        Assert.Equal("10.0.0.7:40000", row.GetProperty("remote_endpoint").GetString());
        Assert.Equal(Convert.ToHexString(frame), row.GetProperty("frame_hex").GetString());
    }

    [Fact]
    public async Task Vehicle_sample_nullables_and_parallel_motor_arrays_read_back_as_written()
    {
        var rows = new ClickHouseRowBuffers();
        rows.VehicleSamples.Add(new VehicleSampleRow
        {
            Node = "n", SpoolOffset = 42, Vin = "LSVAU2180N2183294", DeviceTime = Received.AddSeconds(-2), ReceivedAt = Received,
            IsReissue = true, VehicleState = 1, SpeedKmh = 63.5f, OdometerKm = 12345.6, SocPct = null, TotalVoltageV = 380.2f,
            PositionValid = true, Longitude = 116.397128, Latitude = 39.916527, AlarmLevel = 2, AlarmFlags = 0x0004_0001,
            BatteryFaultCodes = new uint[] { 7, 8 },
            MotorIndex = new byte[] { 1, 2 }, MotorState = new byte[] { 1, 3 },
            MotorSpeedRpm = new float?[] { 3000, null }, MotorTorqueNm = new float?[] { 120.5f, -20 },
            CellVoltagesV = new float?[] { 3.301f, null, 3.299f }, ProbeTemperaturesC = new float?[] { 25, 26 },
        });

        await InsertAllAsync(rows);
        var row = Assert.Single(await _db.QueryJsonAsync(
            $"SELECT toUnixTimestamp(device_time) AS t, is_reissue, vehicle_state, speed_kmh, odometer_km, soc_pct, lon, lat, " +
            $"alarm_level, alarm_flags, battery_fault_codes, motor_index, motor_state, motor_speed_rpm, motor_torque_nm, motor_temp_c, " +
            $"cell_voltages_v, probe_temperatures_c FROM {_db.Database.Qualified("vehicle_samples")} FINAL"));

        Assert.Equal(Received.AddSeconds(-2).ToUnixTimeSeconds(), row.GetProperty("t").GetInt64());
        Assert.Equal(1, row.GetProperty("is_reissue").GetInt32());
        Assert.Equal(63.5, row.GetProperty("speed_kmh").GetDouble());
        Assert.Equal(12345.6, row.GetProperty("odometer_km").GetDouble());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("soc_pct").ValueKind);
        Assert.Equal(116.397128, row.GetProperty("lon").GetDouble());
        Assert.Equal(0x0004_0001u, row.GetProperty("alarm_flags").GetUInt32());
        Assert.Equal("[7,8]", row.GetProperty("battery_fault_codes").GetRawText());
        Assert.Equal("[1,2]", row.GetProperty("motor_index").GetRawText());
        Assert.Equal("[3000,null]", row.GetProperty("motor_speed_rpm").GetRawText());
        Assert.Equal("[120.5,-20]", row.GetProperty("motor_torque_nm").GetRawText());
        Assert.Equal("[]", row.GetProperty("motor_temp_c").GetRawText());
        Assert.Equal(3, row.GetProperty("cell_voltages_v").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("cell_voltages_v")[1].ValueKind);
    }

    [Fact]
    public async Task Emission_items_of_one_frame_are_separate_rows_with_obd_and_stream_columns()
    {
        var rows = new ClickHouseRowBuffers();
        for (ushort item = 0; item < 3; item++)
        {
            rows.EmissionSamples.Add(new EmissionSampleRow
            {
                Node = "n", SpoolOffset = 9, ItemIndex = item, Vin = "LZZ1CLVB6KA000001", CollectionTime = Received, ReceivedAt = Received,
                InfoType = item == 0 ? (byte)0x01 : (byte)0x02,
                MilStatus = item == 0 ? (byte)1 : null, DtcCount = item == 0 ? (byte)2 : null,
                DtcCodes = item == 0 ? new uint[] { 0x00_01_23_45, 0x00_02_00_01 } : default,
                ObdVin = item == 0 ? "LZZ1CLVB6KA000001" : null, SoftwareCalibrationId = item == 0 ? "CAL'ID\\1" : null,
                NoxDownstreamPpm = item == 0 ? null : 35.5f + item, UreaLevelPct = item == 0 ? null : 60,
                EngineRpm = item == 0 ? null : 1400, PositionValid = item > 0, OdometerKm = item == 0 ? null : 100_000.5,
            });
        }

        await InsertAllAsync(rows);
        var result = await _db.QueryJsonAsync(
            $"SELECT item_index, info_type, mil_status, dtc_count, dtc_codes, software_calibration_id, nox_downstream_ppm, engine_rpm, odometer_km " +
            $"FROM {_db.Database.Qualified("emission_samples")} FINAL ORDER BY item_index");

        Assert.Equal(3, result.Count);
        Assert.Equal(1, result[0].GetProperty("mil_status").GetInt32());
        Assert.Equal($"[{0x00_01_23_45},{0x00_02_00_01}]", result[0].GetProperty("dtc_codes").GetRawText());
        Assert.Equal("CAL'ID\\1", result[0].GetProperty("software_calibration_id").GetString());
        Assert.Equal(JsonValueKind.Null, result[0].GetProperty("engine_rpm").ValueKind);
        Assert.Equal(37.5, result[2].GetProperty("nox_downstream_ppm").GetDouble());
        Assert.Equal(100_000.5, result[1].GetProperty("odometer_km").GetDouble());
    }

    [Fact]
    public async Task Session_events_keep_event_kind_serial_and_iccid()
    {
        var rows = new ClickHouseRowBuffers();
        rows.Sessions.Add(new SessionEventRow
        {
            Node = "n", SpoolOffset = 1, Vin = "LSVAU2180N2183294", Event = SessionEvent.VehicleLogin, DeviceTime = Received,
            ReceivedAt = Received, Serial = 65535, Iccid = "89860312345678901234", Protocol = StoredProtocol.Gb32960,
        });
        rows.Sessions.Add(new SessionEventRow
        {
            Node = "n", SpoolOffset = 2, Vin = "LSVAU2180N2183294", Event = SessionEvent.VehicleLogout, ReceivedAt = Received.AddMinutes(5),
        });

        await InsertAllAsync(rows);
        var result = await _db.QueryJsonAsync(
            $"SELECT event, serial, iccid, protocol FROM {_db.Database.Qualified("sessions")} FINAL ORDER BY spool_offset");

        Assert.Equal(["vehicle_login", "vehicle_logout"], result.Select(r => r.GetProperty("event").GetString()));
        Assert.Equal(65535, result[0].GetProperty("serial").GetInt32());
        Assert.Equal(JsonValueKind.Null, result[1].GetProperty("serial").ValueKind);
        Assert.Equal("89860312345678901234", result[0].GetProperty("iccid").GetString());
        Assert.Equal("unknown", result[1].GetProperty("protocol").GetString());
    }

    [Fact]
    public async Task A_retried_batch_is_stored_exactly_once_after_final_and_after_merge()
    {
        var rows = new ClickHouseRowBuffers();
        var projector = new SyntheticRowProjector();
        for (long offset = 0; offset < 500; offset++)
        {
            projector.Project(new Ingest.Spool.SpoolRecord(offset, offset + 1, SyntheticRowProjector.Payload($"VIN{offset % 7:D14}")), rows);
        }
        var expected = SyntheticRowProjector.ExpectedCounts(500);

        await InsertAllAsync(rows);
        await InsertAllAsync(rows); // the same spool offsets again, as after a failure between insert and commit

        Assert.Equal(2 * expected.Frames, await _db.CountAsync("frames_raw", final: false));
        Assert.Equal(expected.Frames, await _db.CountAsync("frames_raw"));
        Assert.Equal(expected.Samples, await _db.CountAsync("vehicle_samples"));
        Assert.Equal(expected.Emissions, await _db.CountAsync("emission_samples"));
        Assert.Equal(expected.Sessions, await _db.CountAsync("sessions"));
        foreach (var table in ClickHouseRowBuffers.Tables)
        {
            await _db.Database.ExecuteAsync($"OPTIMIZE TABLE {_db.Database.Qualified(table.Name)} FINAL", CancellationToken.None);
        }
        Assert.Equal(expected.Frames, await _db.CountAsync("frames_raw", final: false));
        Assert.Equal(expected.Emissions, await _db.CountAsync("emission_samples", final: false));
    }

    private async Task InsertAllAsync(ClickHouseRowBuffers rows)
    {
        foreach (var table in rows.All.Where(t => t.Count > 0))
        {
            await _db.Database.InsertAsync(table, $"test-{Guid.NewGuid():N}", CancellationToken.None);
        }
    }

    private static string Text(JsonElement row, string name) =>
        row.GetProperty(name) is { ValueKind: JsonValueKind.String } s ? s.GetString()! : row.GetProperty(name).GetRawText();
}
