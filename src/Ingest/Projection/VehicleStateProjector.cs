using System.Buffers.Binary;
using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;
using Ingest.Records;
using Ingest.Sinks.Redis;
using Ingest.Spool;
using Microsoft.Extensions.Options;
using VehicleState = Ingest.Sinks.Redis.VehicleState;

namespace Ingest.Projection;

/// <summary>
/// Spool records to live-state updates: position, speed, SOC or fuel level, odometer, alarms, MIL and NOx from the
/// newest data of each frame; a logout marks the vehicle offline; any other frame only refreshes its presence.
/// </summary>
/// <remarks>
/// One pass with the protocol walkers over the frame bytes, no decoded frame: the update itself (and its VIN text,
/// which <see cref="VehicleState"/> holds as a string) is all it allocates. Which frames count as decoded is
/// <see cref="FrameBodies"/>' verdict, shared with the ClickHouse rows; the values are the decoder's (the same
/// <see cref="Scaled"/> rules), and a test holds the updates equal to those of the full decode over the shared
/// vectors and generated frames.
/// </remarks>
public sealed class VehicleStateProjector : IVehicleStateProjector
{
    private const string Gb32960 = "gb32960";
    private const string Hj1239 = "hj1239";

    private readonly string _node;
    private readonly HjUserItemLayouts _userItems;

    public VehicleStateProjector(IOptions<IngestOptions> options)
    {
        _node = options.Value.NodeName;
        _userItems = new HjUserItemLayouts(options.Value.Listeners);
    }

    public VehicleState? Project(in SpoolRecord record)
    {
        if (!FrameEnvelope.TryRead(record.Payload, out var envelope) || Signatures.EnvelopeSignatures.IsQuarantined(envelope))
        {
            return null; // not an envelope, or refused for its signature (kept for audit only)
        }
        var frame = envelope.Frame.Span;
        if (!WholeFrame.TryValidate(frame, FrameBodies.AnyFrame, out var header, out _) || !header.IsCommand)
        {
            return null;
        }
        if (!Vin.IsText(header.Vin.AsSpan()))
        {
            return null; // an unprovisioned terminal (all 0x00): no vehicle to keep a state for
        }
        string vin = header.Vin.ToString();
        var data = frame.Slice(FrameHeader.Size, header.DataLength);
        var update = new Update();
        if (header.Layout == HeaderLayout.Gb32960)
        {
            var edition = Gb32960Editions.FromMarker(header.Marker);
            switch (FrameBodies.ClassifyGb(header, edition, data))
            {
                case FrameBodies.GbBody.Realtime:
                    update.FromGb(data, edition);
                    break;
                case FrameBodies.GbBody.Logout:
                    update.Online = false;
                    break;
            }
        }
        else
        {
            var userItems = _userItems.For(envelope.ListenerPort);
            switch (FrameBodies.ClassifyHj(header, data, envelope.Protocol, userItems, out var layout))
            {
                case FrameBodies.HjBody.Data:
                    update.FromHj(data, layout, userItems);
                    break;
                case FrameBodies.HjBody.Logout:
                    update.Online = false;
                    break;
            }
        }
        return new VehicleState
        {
            Vin = vin,
            ReceivedAt = envelope.ReceivedAt,
            Node = _node,
            Protocol = header.Layout == HeaderLayout.Gb32960 ? Gb32960 : Hj1239,
            SpoolOffset = record.Offset,
            Online = update.Online,
            DeviceTime = update.DeviceTime,
            SpeedKmh = update.SpeedKmh,
            SocPct = update.SocPct,
            FuelLevelPct = update.FuelLevelPct,
            OdometerKm = update.OdometerKm,
            PositionValid = update.PositionValid,
            Longitude = update.Longitude,
            Latitude = update.Latitude,
            AlarmLevel = update.AlarmLevel,
            AlarmFlags = update.AlarmFlags,
            Mil = update.Mil,
            NoxPpm = update.NoxPpm,
        };
    }

    /// <summary>The telemetry of one frame, gathered on the stack before the one <see cref="VehicleState"/> is built.</summary>
    private ref struct Update
    {
        public bool Online;
        public DateTimeOffset? DeviceTime;
        public double? SpeedKmh;
        public double? SocPct;
        public double? FuelLevelPct;
        public double? OdometerKm;
        public bool? PositionValid;
        public double? Longitude;
        public double? Latitude;
        public int? AlarmLevel;
        public uint? AlarmFlags;
        public bool? Mil;
        public double? NoxPpm;

        public Update() => Online = true;

        /// <summary>The first whole-vehicle, location and alarm items of a GB/T 32960 realtime/reissue data unit.</summary>
        public void FromGb(ReadOnlySpan<byte> data, Gb32960Edition edition)
        {
            var walker = new Gb32960InfoWalker(data, edition);
            DeviceTime = StoredTime.Of(walker.Time);
            bool vehicle = false, location = false, alarms = false;
            while (walker.TryReadNext(out var item))
            {
                var b = item.Body;
                switch (item.Kind)
                {
                    case Gb32960InfoKind.VehicleData when !vehicle:
                        vehicle = true;
                        SpeedKmh = Scaled.FromWord(Word(b, 3), 0.1).AsNullable;
                        OdometerKm = Scaled.FromDWord(DWord(b, 5), 0.1).AsNullable;
                        SocPct = Scaled.FromByte(b[13]).AsNullable;
                        break;
                    case Gb32960InfoKind.Location when !location:
                        location = true;
                        bool fix = (b[0] & 0x01) == 0;
                        int lonAt = edition == Gb32960Edition.V2016 ? 1 : 2;
                        PositionValid = fix;
                        Longitude = fix ? Coordinate(DWord(b, lonAt), (b[0] & 0x04) != 0) : null;
                        Latitude = fix ? Coordinate(DWord(b, lonAt + 4), (b[0] & 0x02) != 0) : null;
                        break;
                    case Gb32960InfoKind.Alarms when !alarms:
                        alarms = true;
                        AlarmLevel = b[0] >= 0xFE ? null : b[0];
                        AlarmFlags = DWord(b, 1);
                        break;
                }
            }
        }

        /// <summary>
        /// The newest item of each kind wins: a frame carries up to ten one-second samples in order. The state's time
        /// is the newest collection time: in HJ 1239 frames the frame time is the send time, which for a reissue is
        /// now, so it must not make old samples look current (Annex Q items have no own time: the frame time is theirs).
        /// </summary>
        public void FromHj(ReadOnlySpan<byte> data, Hj1239Layout layout, Hj1239UserItemLayout userItems)
        {
            var walker = new Hj1239ItemWalker(data, layout, userItems);
            var frameTime = StoredTime.Of(walker.Time);
            while (walker.TryReadNext(out var item))
            {
                if ((StoredTime.Of(item.CollectionTime) ?? frameTime) is { } time && (DeviceTime is not { } newest || time > newest))
                {
                    DeviceTime = time;
                }
                var b = item.Body;
                switch (item.Type)
                {
                    case DieselDataStream.TypeCode:
                        Engine(b, odometerAt: 33, gnssAt: 24);
                        FuelLevelPct = EngineScaling.LevelPercent(b[23]).AsNullable;
                        NoxPpm = EngineScaling.NoxPpm(Word(b, 11)).AsNullable;
                        break;
                    case TwcNoxDataStream.TypeCode:
                        Engine(b, odometerAt: 28, gnssAt: 19);
                        NoxPpm = EngineScaling.NoxPpm(Word(b, 12)).AsNullable;
                        break;
                    case SparkIgnitionDataStream.TypeCode:
                        Engine(b, odometerAt: 26, gnssAt: 17);
                        break;
                    case ObdInfo.TypeCode:
                        Mil = b[1] switch { 0 => false, 1 => true, _ => null };
                        break;
                }
            }
        }

        /// <summary>What the three data streams share: speed, odometer and a position kept only when it is a fix.</summary>
        private void Engine(ReadOnlySpan<byte> b, int odometerAt, int gnssAt)
        {
            SpeedKmh = EngineScaling.SpeedKmh(Word(b, 0)).AsNullable;
            OdometerKm = EngineScaling.OdometerKm(DWord(b, odometerAt)).AsNullable;
            var position = GnssPosition.Read(b[gnssAt..]);
            PositionValid = position.IsFixValid;
            if (position.IsFixValid)
            {
                Longitude = position.LongitudeDeg.AsNullable;
                Latitude = position.LatitudeDeg.AsNullable;
            }
        }
    }

    /// <summary>As <see cref="Location.LongitudeDeg"/>: a set hemisphere bit negates a non-zero magnitude.</summary>
    private static double? Coordinate(uint raw, bool negative) => Scaled.FromDWord(raw, negative && raw != 0 ? -1e-6 : 1e-6).AsNullable;

    private static ushort Word(ReadOnlySpan<byte> body, int at) => BinaryPrimitives.ReadUInt16BigEndian(body[at..]);

    private static uint DWord(ReadOnlySpan<byte> body, int at) => BinaryPrimitives.ReadUInt32BigEndian(body[at..]);
}
