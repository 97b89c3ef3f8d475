-- Cluster template: ReplicatedReplacingMergeTree shards behind Distributed tables (cluster `telematics_cluster`).
-- Applied by the sink when ClickHouse:Cluster is set; needs ZooKeeper/Keeper and the {shard}/{replica} macros on every server.

CREATE DATABASE IF NOT EXISTS `telematics` ON CLUSTER `telematics_cluster`;

CREATE TABLE IF NOT EXISTS `telematics`.`schema_migrations` ON CLUSTER `telematics_cluster` (version UInt32, applied_at DateTime DEFAULT now(), description String)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/telematics/schema_migrations', '{replica}')
ORDER BY version;

CREATE TABLE IF NOT EXISTS `telematics`.`frames_raw_local` ON CLUSTER `telematics_cluster` (
    node String,
    spool_offset UInt64,
    received_at DateTime,
    vin String,
    protocol Enum8('unknown' = 0, 'gb32960' = 1, 'hj1239' = 2),
    edition UInt16,
    command UInt8,
    reply_flag UInt8,
    encryption UInt8,
    device_time Nullable(DateTime),
    listener String,
    remote_endpoint String,
    frame_bytes String,
    signature Enum8('not_checked' = 0, 'valid' = 1, 'invalid' = 2, 'no_key' = 3, 'unsigned' = 4, 'missing' = 5),
    admitted UInt8 DEFAULT 1
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/telematics/frames_raw_local', '{replica}')
PARTITION BY toYYYYMMDD(received_at)
ORDER BY (vin, received_at, node, spool_offset);

CREATE TABLE IF NOT EXISTS `telematics`.`frames_raw` ON CLUSTER `telematics_cluster` AS `telematics`.`frames_raw_local` ENGINE = Distributed(`telematics_cluster`, `telematics`, `frames_raw_local`, cityHash64(vin));

CREATE TABLE IF NOT EXISTS `telematics`.`vehicle_samples_local` ON CLUSTER `telematics_cluster` (
    node String,
    spool_offset UInt64,
    vin String,
    device_time DateTime,
    received_at DateTime,
    is_reissue UInt8,
    vehicle_state Nullable(UInt8),
    charging_state Nullable(UInt8),
    run_mode Nullable(UInt8),
    speed_kmh Nullable(Float32),
    odometer_km Nullable(Float64),
    total_voltage_v Nullable(Float32),
    total_current_a Nullable(Float32),
    soc_pct Nullable(Float32),
    dcdc_state Nullable(UInt8),
    gear Nullable(UInt8),
    insulation_kohm Nullable(Float32),
    accelerator_pedal_pct Nullable(Float32),
    brake_pedal_pct Nullable(Float32),
    position_valid UInt8,
    lon Nullable(Float64),
    lat Nullable(Float64),
    max_cell_voltage_v Nullable(Float32),
    min_cell_voltage_v Nullable(Float32),
    max_temperature_c Nullable(Float32),
    min_temperature_c Nullable(Float32),
    alarm_level Nullable(UInt8),
    alarm_flags UInt32,
    battery_fault_codes Array(UInt32),
    motor_fault_codes Array(UInt32),
    engine_fault_codes Array(UInt32),
    other_fault_codes Array(UInt32),
    motor_index Array(UInt8),
    motor_state Array(UInt8),
    motor_controller_temp_c Array(Nullable(Float32)),
    motor_speed_rpm Array(Nullable(Float32)),
    motor_torque_nm Array(Nullable(Float32)),
    motor_temp_c Array(Nullable(Float32)),
    motor_controller_voltage_v Array(Nullable(Float32)),
    motor_controller_current_a Array(Nullable(Float32)),
    engine_state Nullable(UInt8),
    crankshaft_rpm Nullable(Float32),
    fuel_consumption_l_per_100km Nullable(Float32),
    fuel_cell_voltage_v Nullable(Float32),
    fuel_cell_current_a Nullable(Float32),
    hydrogen_max_pressure_mpa Nullable(Float32),
    cell_voltages_v Array(Nullable(Float32)),
    probe_temperatures_c Array(Nullable(Float32))
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/telematics/vehicle_samples_local', '{replica}')
PARTITION BY toYYYYMM(device_time)
ORDER BY (vin, device_time, node, spool_offset);

CREATE TABLE IF NOT EXISTS `telematics`.`vehicle_samples` ON CLUSTER `telematics_cluster` AS `telematics`.`vehicle_samples_local` ENGINE = Distributed(`telematics_cluster`, `telematics`, `vehicle_samples_local`, cityHash64(vin));

CREATE TABLE IF NOT EXISTS `telematics`.`emission_samples_local` ON CLUSTER `telematics_cluster` (
    node String,
    spool_offset UInt64,
    item_index UInt16,
    vin String,
    collection_time DateTime,
    received_at DateTime,
    is_reissue UInt8,
    info_type UInt8,
    speed_kmh Nullable(Float32),
    atmospheric_pressure_kpa Nullable(Float32),
    engine_torque_pct Nullable(Float32),
    friction_torque_pct Nullable(Float32),
    engine_rpm Nullable(Float32),
    fuel_flow_l_per_h Nullable(Float32),
    nox_upstream_ppm Nullable(Float32),
    nox_downstream_ppm Nullable(Float32),
    urea_level_pct Nullable(Float32),
    intake_air_flow_kg_per_h Nullable(Float32),
    scr_inlet_temp_c Nullable(Float32),
    scr_outlet_temp_c Nullable(Float32),
    dpf_pressure_drop_kpa Nullable(Float32),
    coolant_temp_c Nullable(Float32),
    fuel_level_pct Nullable(Float32),
    position_valid UInt8,
    lon Nullable(Float64),
    lat Nullable(Float64),
    odometer_km Nullable(Float64),
    obd_protocol Nullable(UInt8),
    mil_status Nullable(UInt8),
    diagnostic_support_status Nullable(UInt16),
    diagnostic_readiness_status Nullable(UInt16),
    obd_vin String,
    software_calibration_id String,
    calibration_verification_number String,
    iupr String,
    dtc_count Nullable(UInt8),
    dtc_codes Array(UInt32)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/telematics/emission_samples_local', '{replica}')
PARTITION BY toYYYYMM(collection_time)
ORDER BY (vin, collection_time, node, spool_offset, item_index);

CREATE TABLE IF NOT EXISTS `telematics`.`emission_samples` ON CLUSTER `telematics_cluster` AS `telematics`.`emission_samples_local` ENGINE = Distributed(`telematics_cluster`, `telematics`, `emission_samples_local`, cityHash64(vin));

CREATE TABLE IF NOT EXISTS `telematics`.`sessions_local` ON CLUSTER `telematics_cluster` (
    node String,
    spool_offset UInt64,
    vin String,
    event Enum8('vehicle_login' = 1, 'vehicle_logout' = 2, 'platform_login' = 3, 'platform_logout' = 4),
    device_time Nullable(DateTime),
    received_at DateTime,
    serial Nullable(UInt16),
    iccid String,
    protocol Enum8('unknown' = 0, 'gb32960' = 1, 'hj1239' = 2),
    listener String,
    remote_endpoint String
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/telematics/sessions_local', '{replica}')
PARTITION BY toYYYYMM(received_at)
ORDER BY (vin, received_at, node, spool_offset);

CREATE TABLE IF NOT EXISTS `telematics`.`sessions` ON CLUSTER `telematics_cluster` AS `telematics`.`sessions_local` ENGINE = Distributed(`telematics_cluster`, `telematics`, `sessions_local`, cityHash64(vin));

CREATE TABLE IF NOT EXISTS `telematics`.`frames_quarantine_local` ON CLUSTER `telematics_cluster` (
    node String,
    spool_offset UInt64,
    received_at DateTime,
    vin String,
    protocol Enum8('unknown' = 0, 'gb32960' = 1, 'hj1239' = 2),
    command UInt8,
    listener String,
    reason Enum8('not_checked' = 0, 'valid' = 1, 'invalid' = 2, 'no_key' = 3, 'unsigned' = 4, 'missing' = 5),
    frame_bytes String
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/telematics/frames_quarantine_local', '{replica}')
PARTITION BY toYYYYMM(received_at)
ORDER BY (vin, received_at, node, spool_offset);

CREATE TABLE IF NOT EXISTS `telematics`.`frames_quarantine` ON CLUSTER `telematics_cluster` AS `telematics`.`frames_quarantine_local` ENGINE = Distributed(`telematics_cluster`, `telematics`, `frames_quarantine_local`, cityHash64(vin));

CREATE TABLE IF NOT EXISTS `telematics`.`alarm_events_local` ON CLUSTER `telematics_cluster` (
    event_id String,
    version UInt8,
    vin String,
    node String,
    kind Enum8('level3' = 1, 'general_flag' = 2, 'mil' = 3, 'dtc' = 4, 'silence' = 5),
    code UInt32,
    detail String,
    started_at DateTime,
    ended_at Nullable(DateTime),
    start_offset UInt64,
    end_offset Nullable(UInt64)
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/telematics/alarm_events_local', '{replica}', `version`)
PARTITION BY toYYYYMM(started_at)
ORDER BY (vin, started_at, event_id);

CREATE TABLE IF NOT EXISTS `telematics`.`alarm_events` ON CLUSTER `telematics_cluster` AS `telematics`.`alarm_events_local` ENGINE = Distributed(`telematics_cluster`, `telematics`, `alarm_events_local`, cityHash64(vin));

CREATE TABLE IF NOT EXISTS `telematics`.`quality_daily_local` ON CLUSTER `telematics_cluster` (
    day Date,
    vin String,
    protocol Enum8('unknown' = 0, 'gb32960' = 1, 'hj1239' = 2),
    computed_at DateTime,
    frames UInt32,
    realtime_frames UInt32,
    reissue_frames UInt32,
    late_frames UInt32,
    samples UInt32,
    running_samples UInt32,
    gaps UInt32,
    missing_samples UInt32,
    longest_gap_s UInt32,
    failed_samples UInt32,
    fail_range UInt32,
    fail_soc UInt32,
    fail_cell_sum UInt32,
    fail_odometer UInt32,
    fail_position UInt32,
    fail_clock_skew UInt32,
    fail_future UInt32
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/telematics/quality_daily_local', '{replica}')
PARTITION BY toYYYYMM(day)
ORDER BY (day, vin);

CREATE TABLE IF NOT EXISTS `telematics`.`quality_daily` ON CLUSTER `telematics_cluster` AS `telematics`.`quality_daily_local` ENGINE = Distributed(`telematics_cluster`, `telematics`, `quality_daily_local`, cityHash64(vin));
