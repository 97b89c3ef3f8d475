using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;
using Ingest.Sinks.Redis;
using VehicleState = Ingest.Sinks.Redis.VehicleState;
using Ingest.Spool;
using Microsoft.Extensions.Options;

namespace Ingest.Tests.Projection;

/// <summary>
/// The oracle for <see cref="VehicleStateProjector"/>: the live-state projection over a full decode (a
/// <see cref="DecodedRecord"/>, LINQ, one record copy per field set), kept unchanged so the equivalence tests can
/// prove the walker-based projector gives the same updates.
/// </summary>
public sealed class ReferenceStateProjector : IVehicleStateProjector
{
    private readonly string _node;

    public ReferenceStateProjector(IOptions<IngestOptions> options) => _node = options.Value.NodeName;

    public bool TryProject(in SpoolRecord record, out StateUpdate update)
    {
        var state = Project(record);
        update = state is null ? default : StateUpdate.From(state);
        return state is not null;
    }

    public VehicleState? Project(in SpoolRecord record)
    {
        var decoded = DecodedRecord.Open(record);
        if (decoded is null || !decoded.HeaderValid || !decoded.Header.IsCommand || !Vin.IsText(decoded.Header.Vin.AsSpan()))
        {
            return null;
        }
        var presence = new VehicleState
        {
            Vin = decoded.Vin,
            ReceivedAt = decoded.Envelope.ReceivedAt,
            Node = _node,
            Protocol = decoded.IsGb32960 ? "gb32960" : "hj1239",
            SpoolOffset = decoded.Offset,
        };
        return decoded.Gb?.Body switch
        {
            RealtimeReport report => FromGb(presence, report, decoded),
            VehicleLogout => presence with { Online = false },
            _ => decoded.Hj?.Body switch
            {
                Hj1239DataBody data => FromHj(presence, data),
                Hj1239LogoutBody => presence with { Online = false },
                _ => presence,
            },
        };
    }

    private static VehicleState FromGb(VehicleState state, RealtimeReport report, DecodedRecord decoded)
    {
        var vehicle = report.Items.OfType<VehicleData>().FirstOrDefault();
        var location = report.Items.OfType<Location>().FirstOrDefault();
        var alarms = report.Items.OfType<Alarms>().FirstOrDefault();
        return state with
        {
            DeviceTime = decoded.DeviceTime,
            SpeedKmh = D(vehicle?.SpeedKmh),
            SocPct = D(vehicle?.SocPercent),
            OdometerKm = D(vehicle?.OdometerKm),
            PositionValid = location?.IsFixValid,
            Longitude = location is { IsFixValid: true } ? D(location.LongitudeDeg) : null,
            Latitude = location is { IsFixValid: true } ? D(location.LatitudeDeg) : null,
            AlarmLevel = alarms is null || alarms.MaxLevel >= 0xFE ? null : alarms.MaxLevel,
            AlarmFlags = alarms is null ? null : (uint)alarms.GeneralFlags,
        };
    }

    private static VehicleState FromHj(VehicleState state, Hj1239DataBody data)
    {
        // The newest item of each kind wins: a frame carries up to ten one-second samples in order. The state's time
        // is the newest collection time: in HJ 1239 frames the frame time is the send time, which for a reissue is
        // now, so it must not make old samples look current (Annex Q items have no own time: the frame time is theirs).
        DateTimeOffset? newest = null;
        foreach (var item in data.Items)
        {
            var itemTime = DecodedRecord.Storable(item.CollectionTime) ?? DecodedRecord.Storable(data.Time);
            if (itemTime is { } t && (newest is null || t > newest))
            {
                newest = t;
            }
            state = item.Unit switch
            {
                DieselDataStream s => state with
                {
                    SpeedKmh = D(s.VehicleSpeedKmh),
                    FuelLevelPct = D(s.FuelLevelPercent),
                    OdometerKm = D(s.OdometerKm),
                    NoxPpm = D(s.ScrDownstreamNoxPpm),
                    PositionValid = s.Position.IsFixValid,
                    Longitude = s.Position.IsFixValid ? D(s.Position.LongitudeDeg) : state.Longitude,
                    Latitude = s.Position.IsFixValid ? D(s.Position.LatitudeDeg) : state.Latitude,
                },
                TwcNoxDataStream s => state with
                {
                    SpeedKmh = D(s.VehicleSpeedKmh),
                    OdometerKm = D(s.OdometerKm),
                    NoxPpm = D(s.NoxPpm),
                    PositionValid = s.Position.IsFixValid,
                    Longitude = s.Position.IsFixValid ? D(s.Position.LongitudeDeg) : state.Longitude,
                    Latitude = s.Position.IsFixValid ? D(s.Position.LatitudeDeg) : state.Latitude,
                },
                SparkIgnitionDataStream s => state with
                {
                    SpeedKmh = D(s.VehicleSpeedKmh),
                    OdometerKm = D(s.OdometerKm),
                    PositionValid = s.Position.IsFixValid,
                    Longitude = s.Position.IsFixValid ? D(s.Position.LongitudeDeg) : state.Longitude,
                    Latitude = s.Position.IsFixValid ? D(s.Position.LatitudeDeg) : state.Latitude,
                },
                ObdInfo o => state with { Mil = o.MilOn },
                _ => state,
            };
        }
        return state with { DeviceTime = newest };
    }

    private static double? D(Scaled? value) => value is { IsValid: true } v ? v.Value : null;
}
