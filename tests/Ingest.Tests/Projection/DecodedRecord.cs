using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Primitives;
using Ingest.Records;
using Ingest.Spool;

namespace Ingest.Tests.Projection;

/// <summary>
/// (Test oracle: production projects from the walkers now; the reference projectors still open records this way.)
/// A spool record opened up: its envelope, the frame header, and the decoded frame when the data unit could be
/// decoded. Everything downstream (ClickHouse rows, live state) is derived from this and nothing else, so the
/// same record always projects to the same rows: the basis of exactly-once storage after a retry.
/// </summary>
public sealed class DecodedRecord
{
    private static readonly FramingOptions AnyFrame = new() { MaxFrameBytes = FrameHeader.Overhead + FrameHeader.MaxDataLength, AllowCustomCommands = true };

    private DecodedRecord(long offset, FrameEnvelope envelope, bool headerValid, FrameHeader header, Gb32960Frame? gb, Hj1239Frame? hj)
    {
        Offset = offset;
        Envelope = envelope;
        HeaderValid = headerValid;
        Header = header;
        Gb = gb;
        Hj = hj;
    }

    public long Offset { get; }

    public FrameEnvelope Envelope { get; }

    /// <summary>False when the record's bytes are not a valid frame (it is still stored raw).</summary>
    public bool HeaderValid { get; }

    public FrameHeader Header { get; }

    public Gb32960Frame? Gb { get; }

    public Hj1239Frame? Hj { get; }

    public string Vin => HeaderValid ? Header.Vin.ToString() : "";

    public bool IsGb32960 => HeaderValid && Header.Layout == HeaderLayout.Gb32960;

    /// <summary>Null when the record is not an ingest envelope at all (written by a newer version, say).</summary>
    public static DecodedRecord? Open(in SpoolRecord record)
    {
        if (!FrameEnvelope.TryRead(record.Payload, out var envelope))
        {
            return null;
        }
        var frame = envelope.Frame.Span;
        if (!WholeFrame.TryValidate(frame, AnyFrame, out var header, out _))
        {
            return new DecodedRecord(record.Offset, envelope, false, default, null, null);
        }
        Gb32960Frame? gb = null;
        Hj1239Frame? hj = null;
        if (header.Layout == HeaderLayout.Gb32960)
        {
            // A frame whose data unit does not decode still yields its header; the raw bytes are kept either way.
            Gb32960Decoder.TryDecode(frame, out gb, out _);
        }
        else
        {
            var layout = envelope.Protocol switch
            {
                ListenerProtocol.Gb17691 => Hj1239Layout.AnnexQ,
                ListenerProtocol.Hj1239 => Hj1239Layout.Hj1239,
                _ => Hj1239Layout.Auto,
            };
            if (!Hj1239Decoder.TryDecode(frame, layout, out hj, out _) && layout != Hj1239Layout.Auto)
            {
                // A port set to one HJ layout may still carry terminals in the other mode: let the bytes decide.
                Hj1239Decoder.TryDecode(frame, Hj1239Layout.Auto, out hj, out _);
            }
        }
        return new DecodedRecord(record.Offset, envelope, true, header, gb, hj);
    }

    /// <summary>The frame's own time (collection or send time), or null when absent or not a real instant.</summary>
    public DateTimeOffset? DeviceTime => Gb?.Body switch
    {
        Protocol.Gb32960.Bodies.RealtimeReport r => Storable(r.Time),
        Protocol.Gb32960.Bodies.VehicleLogin l => Storable(l.Time),
        Protocol.Gb32960.Bodies.VehicleLogout l => Storable(l.Time),
        _ => Hj?.Body switch
        {
            Hj1239DataBody d => Storable(d.Time),
            Hj1239LoginBody l => Storable(l.Time),
            Hj1239LogoutBody l => Storable(l.Time),
            _ => null,
        },
    };

    /// <summary>A GB time as an instant ClickHouse's DateTime can hold (1970-2105), else null.</summary>
    public static DateTimeOffset? Storable(GbTime time) =>
        time.TryToDateTimeOffset(out var value) && value.Year < 2106 ? value : null;

    public static DateTimeOffset? Storable(GbTime? time) => time is { } t ? Storable(t) : null;
}
