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

namespace Ingest.Projection;

/// <summary>
/// Spool records to live-state updates: position, speed, SOC or fuel level, odometer, alarms, MIL and NOx from the
/// newest data of each frame; a logout marks the vehicle offline; any other frame only refreshes its presence.
/// </summary>
/// <remarks>
/// One pass with the protocol walkers over the frame bytes, no decoded frame, straight into the caller's
/// <see cref="StateUpdate"/> (a value holding the VIN as bytes): nothing is allocated. Which frames count as decoded is
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

    public bool TryProject(in SpoolRecord record, out StateUpdate update)
    {
        update = default;
        if (!FrameEnvelope.TryRead(record.Payload, out var envelope) || Signatures.EnvelopeSignatures.IsQuarantined(envelope))
        {
            return false; // not an envelope, or refused for its signature (kept for audit only)
        }
        var frame = envelope.Frame.Span;
        if (!WholeFrame.TryValidate(frame, FrameBodies.AnyFrame, out var header, out _) || !header.IsCommand)
        {
            return false;
        }
        if (!Vin.IsText(header.Vin.AsSpan()))
        {
            return false; // an unprovisioned terminal (all 0x00): no vehicle to keep a state for
        }
        update.Vin = header.Vin;
        update.ReceivedAt = envelope.ReceivedAt;
        update.Node = _node;
        update.SpoolOffset = record.Offset;
        var data = frame.Slice(FrameHeader.Size, header.DataLength);
        if (header.Layout == HeaderLayout.Gb32960)
        {
            update.Protocol = Gb32960;
            var edition = Gb32960Editions.FromMarker(header.Marker);
            switch (FrameBodies.ClassifyGb(header, edition, data))
            {
                case FrameBodies.GbBody.Realtime:
                    FromGb(ref update, data, edition);
                    break;
                case FrameBodies.GbBody.Logout:
                    update.LoggedOut = true;
                    break;
            }
        }
        else
        {
            update.Protocol = Hj1239;
            var userItems = _userItems.For(envelope.ListenerPort);
            switch (FrameBodies.ClassifyHj(header, data, envelope.Protocol, userItems, out var layout))
            {
                case FrameBodies.HjBody.Data:
                    FromHj(ref update, data, layout, userItems);
                    break;
                case FrameBodies.HjBody.Logout:
                    update.LoggedOut = true;
                    break;
            }
        }
        return true;
    }

    /// <summary>The first whole-vehicle, location and alarm items of a GB/T 32960 realtime/reissue data unit.</summary>
    private static void FromGb(ref StateUpdate update, ReadOnlySpan<byte> data, Gb32960Edition edition)
    {
        var walker = new Gb32960InfoWalker(data, edition);
        update.DeviceTime = StoredTime.Of(walker.Time);
        bool vehicle = false, location = false, alarms = false;
        while (walker.TryReadNext(out var item))
        {
            var b = item.Body;
            switch (item.Kind)
            {
                case Gb32960InfoKind.VehicleData when !vehicle:
                    vehicle = true;
                    update.SpeedKmh = Scaled.FromWord(Word(b, 3), 0.1).AsNullable;
                    update.OdometerKm = Scaled.FromDWord(DWord(b, 5), 0.1).AsNullable;
                    update.SocPct = Scaled.FromByte(b[13]).AsNullable;
                    break;
                case Gb32960InfoKind.Location when !location:
                    location = true;
                    bool fix = (b[0] & 0x01) == 0;
                    int lonAt = edition == Gb32960Edition.V2016 ? 1 : 2;
                    update.PositionValid = fix;
                    update.Longitude = fix ? Coordinate(DWord(b, lonAt), (b[0] & 0x04) != 0) : null;
                    update.Latitude = fix ? Coordinate(DWord(b, lonAt + 4), (b[0] & 0x02) != 0) : null;
                    break;
                case Gb32960InfoKind.Alarms when !alarms:
                    alarms = true;
                    update.AlarmLevel = b[0] >= 0xFE ? null : b[0];
                    update.AlarmFlags = DWord(b, 1);
                    break;
            }
        }
    }

    /// <summary>
    /// The newest item of each kind wins: a frame carries up to ten one-second samples in order. The state's time
    /// is the newest collection time: in HJ 1239 frames the frame time is the send time, which for a reissue is
    /// now, so it must not make old samples look current (Annex Q items have no own time: the frame time is theirs).
    /// </summary>
    private static void FromHj(ref StateUpdate update, ReadOnlySpan<byte> data, Hj1239Layout layout, Hj1239UserItemLayout userItems)
    {
        var walker = new Hj1239ItemWalker(data, layout, userItems);
        var frameTime = StoredTime.Of(walker.Time);
        while (walker.TryReadNext(out var item))
        {
            if ((StoredTime.Of(item.CollectionTime) ?? frameTime) is { } time && (update.DeviceTime is not { } newest || time > newest))
            {
                update.DeviceTime = time;
            }
            var b = item.Body;
            switch (item.Type)
            {
                case DieselDataStream.TypeCode:
                    Engine(ref update, b, odometerAt: 33, gnssAt: 24);
                    update.FuelLevelPct = EngineScaling.LevelPercent(b[23]).AsNullable;
                    update.NoxPpm = EngineScaling.NoxPpm(Word(b, 11)).AsNullable;
                    break;
                case TwcNoxDataStream.TypeCode:
                    Engine(ref update, b, odometerAt: 28, gnssAt: 19);
                    update.NoxPpm = EngineScaling.NoxPpm(Word(b, 12)).AsNullable;
                    break;
                case SparkIgnitionDataStream.TypeCode:
                    Engine(ref update, b, odometerAt: 26, gnssAt: 17);
                    break;
                case ObdInfo.TypeCode:
                    update.Mil = b[1] switch { 0 => false, 1 => true, _ => null };
                    break;
            }
        }
    }

    /// <summary>What the three data streams share: speed, odometer and a position kept only when it is a fix.</summary>
    private static void Engine(ref StateUpdate update, ReadOnlySpan<byte> b, int odometerAt, int gnssAt)
    {
        update.SpeedKmh = EngineScaling.SpeedKmh(Word(b, 0)).AsNullable;
        update.OdometerKm = EngineScaling.OdometerKm(DWord(b, odometerAt)).AsNullable;
        var position = GnssPosition.Read(b[gnssAt..]);
        update.PositionValid = position.IsFixValid;
        if (position.IsFixValid)
        {
            update.Longitude = position.LongitudeDeg.AsNullable;
            update.Latitude = position.LatitudeDeg.AsNullable;
        }
    }

    /// <summary>As <see cref="Location.LongitudeDeg"/>: a set hemisphere bit negates a non-zero magnitude.</summary>
    private static double? Coordinate(uint raw, bool negative) => Scaled.FromDWord(raw, negative && raw != 0 ? -1e-6 : 1e-6).AsNullable;

    private static ushort Word(ReadOnlySpan<byte> body, int at) => BinaryPrimitives.ReadUInt16BigEndian(body[at..]);

    private static uint DWord(ReadOnlySpan<byte> body, int at) => BinaryPrimitives.ReadUInt32BigEndian(body[at..]);
}
