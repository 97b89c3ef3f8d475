using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Spool;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Projection;

/// <summary>
/// The oracle for <see cref="ClickHouseRowProjector"/>: the projection the sink used before it wrote RowBinary straight
/// from the walkers (a full decode into a <see cref="DecodedRecord"/>, typed row structs, LINQ), kept unchanged so the
/// equivalence tests can prove the fast path writes the very same bytes for every table.
/// </summary>
public sealed class ReferenceRowProjector : IClickHouseRowProjector
{
    private readonly string _node;
    private readonly Dictionary<int, string> _listenerByPort;

    public ReferenceRowProjector(IOptions<IngestOptions> options)
    {
        _node = options.Value.NodeName;
        _listenerByPort = options.Value.Listeners.Where(l => l.Port != 0).GroupBy(l => l.Port).ToDictionary(g => g.Key, g => g.First().DisplayName);
    }

    public void Project(in SpoolRecord record, ClickHouseRowBuffers rows)
    {
        var decoded = DecodedRecord.Open(record);
        if (decoded is null)
        {
            rows.FramesRaw.Add(new FrameRawRow
            {
                Node = _node,
                SpoolOffset = record.Offset,
                ReceivedAt = DateTimeOffset.UnixEpoch,
                Vin = "",
                FrameBytes = record.Payload,
            });
            return;
        }
        var envelope = decoded.Envelope;
        var protocol = !decoded.HeaderValid ? StoredProtocol.Unknown : decoded.IsGb32960 ? StoredProtocol.Gb32960 : StoredProtocol.Hj1239;
        string? listener = _listenerByPort.GetValueOrDefault(envelope.ListenerPort);
        rows.FramesRaw.Add(new FrameRawRow
        {
            Node = _node,
            SpoolOffset = record.Offset,
            ReceivedAt = envelope.ReceivedAt,
            Vin = decoded.Vin,
            Protocol = protocol,
            Edition = (ushort)(decoded.IsGb32960 ? (decoded.Header.Marker == Protocol.Framing.FrameMarker.Dollar ? 2025 : 2016) : 0),
            Command = decoded.Header.Command,
            ReplyFlag = decoded.Header.ResponseFlag,
            Encryption = decoded.Header.Encryption,
            DeviceTime = decoded.DeviceTime,
            Listener = listener,
            FrameBytes = envelope.Frame,
            Unfiled = (envelope.Flags & Ingest.Records.EnvelopeFlags.Unfiled) != 0,
        });
        if (decoded.Gb is { } gb)
        {
            ProjectGb(decoded, gb, protocol, listener, rows);
        }
        else if (decoded.Hj is { } hj)
        {
            ProjectHj(decoded, hj, protocol, listener, rows);
        }
    }

    private void ProjectGb(DecodedRecord decoded, Gb32960Frame frame, StoredProtocol protocol, string? listener, ClickHouseRowBuffers rows)
    {
        if (frame.IsReply)
        {
            return;
        }
        switch (frame.Body)
        {
            // A sample is keyed by its own time: without a valid one it stays in frames_raw only.
            case RealtimeReport report when decoded.DeviceTime is { } deviceTime:
                rows.VehicleSamples.Add(VehicleSample(decoded, report, deviceTime));
                break;
            case VehicleLogin login:
                rows.Sessions.Add(Session(decoded, SessionEvent.VehicleLogin, login.LoginSerial, Ascii(login.Iccid.Span), protocol, listener));
                break;
            case VehicleLogout logout:
                rows.Sessions.Add(Session(decoded, SessionEvent.VehicleLogout, logout.LoginSerial, null, protocol, listener));
                break;
        }
    }

    private void ProjectHj(DecodedRecord decoded, Hj1239Frame frame, StoredProtocol protocol, string? listener, ClickHouseRowBuffers rows)
    {
        switch (frame.Body)
        {
            case Hj1239DataBody data:
                for (int i = 0; i < data.Items.Count; i++)
                {
                    var item = data.Items[i];
                    if ((DecodedRecord.Storable(item.CollectionTime) ?? DecodedRecord.Storable(data.Time)) is { } time)
                    {
                        rows.EmissionSamples.Add(EmissionSample(decoded, data, item, (ushort)i, time));
                    }
                }
                break;
            case Hj1239LoginBody login:
                rows.Sessions.Add(Session(decoded, SessionEvent.VehicleLogin, login.Serial, login.Iccid, protocol, listener));
                break;
            case Hj1239LogoutBody logout:
                rows.Sessions.Add(Session(decoded, SessionEvent.VehicleLogout, logout.Serial, null, protocol, listener));
                break;
        }
    }

    private SessionEventRow Session(DecodedRecord d, SessionEvent kind, ushort serial, string? iccid, StoredProtocol protocol, string? listener) => new()
    {
        Node = _node,
        SpoolOffset = d.Offset,
        Vin = d.Vin,
        Event = kind,
        DeviceTime = d.DeviceTime,
        ReceivedAt = d.Envelope.ReceivedAt,
        Serial = serial,
        Iccid = iccid,
        Protocol = protocol,
        Listener = listener,
    };

    private VehicleSampleRow VehicleSample(DecodedRecord d, RealtimeReport report, DateTimeOffset deviceTime)
    {
        // One pass over the items; the first block of each kind wins, repeated and split blocks of cells, probes and
        // motors are concatenated in frame order (the row holds what this frame carried).
        VehicleData? vehicle = null;
        Location? location = null;
        Extremes? extremes = null;
        Alarms? alarms = null;
        Engine? engine = null;
        FuelCell? fuelCell = null;
        var motorList = new List<DriveMotor>(2);
        var cellList = new List<float?>(0);
        var probeList = new List<float?>(0);
        foreach (var item in report.Items)
        {
            switch (item)
            {
                case VehicleData v: vehicle ??= v; break;
                case Location l: location ??= l; break;
                case Extremes e: extremes ??= e; break;
                case Alarms a: alarms ??= a; break;
                case Engine e: engine ??= e; break;
                case FuelCell f: fuelCell ??= f; break;
                case DriveMotors m: motorList.AddRange(m.Motors); break;
                case CellVoltages c:
                    foreach (var pack in c.Packs)
                    {
                        cellList.EnsureCapacity(cellList.Count + pack.CellVoltagesRaw.Count);
                        for (int i = 0; i < pack.CellVoltagesRaw.Count; i++)
                        {
                            cellList.Add(F(pack.CellVoltageV(i)));
                        }
                    }
                    break;
                case ProbeTemperatures t:
                    foreach (var pack in t.Packs)
                    {
                        for (int i = 0; i < pack.TemperaturesRaw.Length; i++)
                        {
                            probeList.Add(F(pack.TemperatureC(i)));
                        }
                    }
                    break;
            }
        }
        var motors = motorList.ToArray();
        var cells = cellList.ToArray();
        var probes = probeList.ToArray();
        return new VehicleSampleRow
        {
            Node = _node,
            SpoolOffset = d.Offset,
            Vin = d.Vin,
            DeviceTime = deviceTime,
            ReceivedAt = d.Envelope.ReceivedAt,
            IsReissue = report.IsReissue,
            VehicleState = vehicle is null ? null : (byte)vehicle.VehicleState,
            ChargingState = vehicle is null ? null : (byte)vehicle.ChargingState,
            RunMode = vehicle is null ? null : (byte)vehicle.RunningMode,
            SpeedKmh = F(vehicle?.SpeedKmh),
            OdometerKm = D(vehicle?.OdometerKm),
            TotalVoltageV = F(vehicle?.TotalVoltageV),
            TotalCurrentA = F(vehicle?.TotalCurrentA),
            SocPct = F(vehicle?.SocPercent),
            DcDcState = vehicle is null ? null : (byte)vehicle.DcDcState,
            Gear = vehicle?.GearRaw,
            InsulationKohm = F(vehicle?.InsulationResistanceKOhm),
            AcceleratorPedalPct = vehicle?.Edition == Gb32960Edition.V2016 ? F(vehicle.AcceleratorPedalPercent) : null,
            BrakePedalPct = vehicle?.Edition == Gb32960Edition.V2016 ? F(vehicle.BrakePedalPercent) : null,
            PositionValid = location is not null && location.IsFixValid,
            Longitude = D(location?.LongitudeDeg),
            Latitude = D(location?.LatitudeDeg),
            MaxCellVoltageV = F(extremes?.MaxCellVoltageV),
            MinCellVoltageV = F(extremes?.MinCellVoltageV),
            MaxTemperatureC = F(extremes?.MaxTemperatureC),
            MinTemperatureC = F(extremes?.MinTemperatureC),
            AlarmLevel = alarms?.MaxLevel,
            AlarmFlags = alarms is null ? 0 : (uint)alarms.GeneralFlags,
            BatteryFaultCodes = alarms?.EnergyStorageFaults.ToArray() ?? [],
            MotorFaultCodes = alarms?.DriveMotorFaults.ToArray() ?? [],
            EngineFaultCodes = alarms?.EngineFaults.ToArray() ?? [],
            OtherFaultCodes = alarms?.OtherFaults.ToArray() ?? [],
            MotorIndex = motors.Select(m => m.Number).ToArray(),
            MotorState = motors.Select(m => (byte)m.State).ToArray(),
            MotorControllerTempC = motors.Select(m => F(m.ControllerTemperatureC)).ToArray(),
            MotorSpeedRpm = motors.Select(m => F(m.SpeedRpm)).ToArray(),
            MotorTorqueNm = motors.Select(m => F(m.TorqueNm)).ToArray(),
            MotorTempC = motors.Select(m => F(m.MotorTemperatureC)).ToArray(),
            MotorControllerVoltageV = motors.Select(m => m.Edition == Gb32960Edition.V2016 ? F(m.ControllerInputVoltageV) : null).ToArray(),
            MotorControllerCurrentA = motors.Select(m => m.Edition == Gb32960Edition.V2016 ? F(m.ControllerDcBusCurrentA) : null).ToArray(),
            EngineState = engine is null ? null : (byte)engine.State,
            CrankshaftRpm = F(engine?.CrankshaftSpeedRpm),
            FuelConsumptionLPer100Km = engine?.Edition == Gb32960Edition.V2016 ? F(engine.FuelConsumptionLPer100Km) : null,
            FuelCellVoltageV = F(fuelCell?.VoltageV),
            FuelCellCurrentA = F(fuelCell?.CurrentA),
            HydrogenMaxPressureMpa = F(fuelCell?.HydrogenMaxPressureMpa),
            CellVoltagesV = cells,
            ProbeTemperaturesC = probes,
        };
    }

    private EmissionSampleRow EmissionSample(DecodedRecord d, Hj1239DataBody data, Hj1239InfoItem item, ushort index, DateTimeOffset collectionTime)
    {
        var row = new EmissionSampleRow
        {
            Node = _node,
            SpoolOffset = d.Offset,
            ItemIndex = index,
            Vin = d.Vin,
            CollectionTime = collectionTime,
            ReceivedAt = d.Envelope.ReceivedAt,
            IsReissue = data.IsReissue,
            InfoType = item.InfoType,
        };
        return item.Unit switch
        {
            DieselDataStream s => WithEngine(row, EngineFields.Of(s)) with
            {
                NoxUpstreamPpm = F(s.ScrUpstreamNoxPpm),
                NoxDownstreamPpm = F(s.ScrDownstreamNoxPpm),
                UreaLevelPct = F(s.ReagentRemainingPercent),
                ScrInletTempC = F(s.ScrInletTemperatureC),
                ScrOutletTempC = F(s.ScrOutletTemperatureC),
                DpfPressureDropKpa = F(s.DpfDifferentialPressureKpa),
                FuelLevelPct = F(s.FuelLevelPercent),
            },
            TwcNoxDataStream s => WithEngine(row, EngineFields.Of(s)) with { NoxDownstreamPpm = F(s.NoxPpm) },
            SparkIgnitionDataStream s => WithEngine(row, EngineFields.Of(s)),
            ObdInfo o => row with
            {
                ObdProtocol = o.ProtocolRaw,
                MilStatus = o.MilRaw,
                DiagnosticSupportStatus = (ushort)o.DiagnosticSupport,
                DiagnosticReadinessStatus = (ushort)o.DiagnosticReadiness,
                ObdVin = o.Vin.ToString(),
                SoftwareCalibrationId = o.CalibrationId,
                CalibrationVerificationNumber = Convert.ToHexString(o.CvnBytes.Span),
                Iupr = Convert.ToHexString(o.IuprBytes.Span),
                DtcCount = o.DtcCountRaw,
                DtcCodes = o.Dtcs,
            },
            _ => row,
        };
    }

    /// <summary>The fields the diesel, spark-ignition and TWC+NOx data streams share, mapped once.</summary>
    private static EmissionSampleRow WithEngine(in EmissionSampleRow row, in EngineFields e) => row with
    {
        SpeedKmh = F(e.Speed),
        AtmosphericPressureKpa = F(e.Barometric),
        EngineTorquePct = F(e.NetTorque),
        FrictionTorquePct = F(e.FrictionTorque),
        EngineRpm = F(e.EngineSpeed),
        FuelFlowLPerH = F(e.FuelFlow),
        IntakeAirFlowKgPerH = F(e.IntakeAir),
        CoolantTempC = F(e.Coolant),
        PositionValid = e.Position.IsFixValid,
        Longitude = D(e.Position.LongitudeDeg),
        Latitude = D(e.Position.LatitudeDeg),
        OdometerKm = D(e.Odometer),
    };

    private readonly record struct EngineFields(Scaled Speed, Scaled Barometric, Scaled NetTorque, Scaled FrictionTorque,
        Scaled EngineSpeed, Scaled FuelFlow, Scaled IntakeAir, Scaled Coolant, GnssPosition Position, Scaled Odometer)
    {
        public static EngineFields Of(DieselDataStream s) => new(s.VehicleSpeedKmh, s.BarometricPressureKpa, s.EngineNetTorquePercent,
            s.FrictionTorquePercent, s.EngineSpeedRpm, s.FuelFlowLph, s.IntakeAirFlowKgph, s.CoolantTemperatureC, s.Position, s.OdometerKm);

        public static EngineFields Of(TwcNoxDataStream s) => new(s.VehicleSpeedKmh, s.BarometricPressureKpa, s.EngineNetTorquePercent,
            s.FrictionTorquePercent, s.EngineSpeedRpm, s.FuelFlowLph, s.IntakeAirFlowKgph, s.CoolantTemperatureC, s.Position, s.OdometerKm);

        public static EngineFields Of(SparkIgnitionDataStream s) => new(s.VehicleSpeedKmh, s.BarometricPressureKpa, s.EngineNetTorquePercent,
            s.FrictionTorquePercent, s.EngineSpeedRpm, s.FuelFlowLph, s.IntakeAirFlowKgph, s.CoolantTemperatureC, s.Position, s.OdometerKm);
    }

    private static float? F(Scaled? value) => value is { IsValid: true } v ? (float)v.Value : null;

    private static double? D(Scaled? value) => value is { IsValid: true } v ? v.Value : null;

    private static string Ascii(ReadOnlySpan<byte> bytes) => System.Text.Encoding.ASCII.GetString(bytes).TrimEnd('\0', ' ');
}
