using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960.Internal;
using Ingest.Protocol.Primitives;

namespace Ingest.Protocol.Gb32960;

/// <summary>
/// One GB/T 32960.3 frame: the shared 24-byte header and a typed body chosen by command and response flag.
/// Every body keeps the raw integers and bytes it was decoded from, so <see cref="Gb32960Encoder"/> reproduces the
/// frame byte for byte.
/// </summary>
public sealed class Gb32960Frame
{
    /// <summary>Pairs a header with a body; the header's length field is set from the body.</summary>
    public Gb32960Frame(FrameHeader header, Gb32960Body body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (header.Layout != HeaderLayout.Gb32960)
        {
            Errors.ThrowHelper.Argument(nameof(header), "A GB/T 32960 frame needs a GB/T 32960 header layout.");
        }
        Header = header.WithDataLength(body.EncodedLength);
        Body = body;
    }

    public FrameHeader Header { get; }

    public Gb32960Edition Edition => Gb32960Editions.FromMarker(Header.Marker);

    public Gb32960Body Body { get; }

    public byte Command => Header.Command;

    public byte ResponseFlag => Header.ResponseFlag;

    public Vin Vin => Header.Vin;

    /// <summary>True for a reply (response flag other than 0xFE).</summary>
    public bool IsReply => Header.ResponseFlag != Gb32960ResponseFlags.Command;

    /// <summary>Builds a frame from its parts, for encoders, tests and tools.</summary>
    public static Gb32960Frame Create(Gb32960Edition edition, byte command, byte responseFlag, Vin vin, Gb32960Body body,
        byte encryption = Gb32960Encryption.None)
    {
        var header = new FrameHeader(edition.Marker(), HeaderLayout.Gb32960, command, responseFlag, vin, 0, encryption, 0);
        return new Gb32960Frame(header, body);
    }

    public override string ToString() =>
        $"{Edition.Name()} {Gb32960Command.Name(Command)} flag 0x{ResponseFlag:X2} {Vin} {Body.GetType().Name}";
}

/// <summary>
/// The data unit of a frame, decoded. A closed family: one sealed type per command layout, plus
/// <see cref="Bodies.Reply"/> for replies and <see cref="Bodies.RawBody"/> for what cannot be decoded.
/// </summary>
public abstract class Gb32960Body
{
    private protected Gb32960Body()
    {
    }

    /// <summary>Bytes this body occupies as a data unit.</summary>
    public abstract int EncodedLength { get; }

    internal abstract void Write(ref BigEndianWriter writer);
}
