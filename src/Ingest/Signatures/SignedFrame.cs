using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;

namespace Ingest.Signatures;

/// <summary>What a frame offers to a signature check.</summary>
public enum SignedFrameKind
{
    /// <summary>A command that carries no signature (login, heartbeat, GB/T 32960-2016, Annex Q...).</summary>
    NotSignable,

    /// <summary>A realtime/reissue frame that could carry a signature but shows none: unsigned, malformed, or encrypted.</summary>
    Missing,

    /// <summary>An SM2 signature: see <see cref="SignedParts"/>.</summary>
    Sm2,

    /// <summary>A GB/T 32960-2025 signature with another algorithm (RSA, ECC): no SM2 key applies.</summary>
    OtherAlgorithm,
}

/// <summary>The signed bytes and the R and S of one frame, as views into it.</summary>
public readonly ref struct SignedParts(ReadOnlySpan<byte> signed, ReadOnlySpan<byte> r, ReadOnlySpan<byte> s)
{
    /// <summary>The bytes the terminal signed: the data unit from its time through the last item.</summary>
    public ReadOnlySpan<byte> Signed { get; } = signed;

    public ReadOnlySpan<byte> R { get; } = r;

    public ReadOnlySpan<byte> S { get; } = s;
}

/// <summary>
/// Finds what a frame signs, without allocating, with the protocol walkers: HJ 1239 realtime/reissue (0x02/0x03,
/// HJ 1239 layout) sign the data unit from the send time to the end of the last item and append R length BYTE + R +
/// S length BYTE + S; GB/T 32960-2025 realtime/reissue sign the data unit from the time to the last item and append
/// 0xFF, algorithm BYTE, R length WORD + R, S length WORD + S (protocols README, parts 2 and 3.4).
/// </summary>
public static class SignedFrame
{
    public static SignedFrameKind Locate(ReadOnlySpan<byte> frame, in FrameHeader header, ListenerProtocol protocol,
        Hj1239UserItemLayout userItems, out SignedParts parts)
    {
        parts = default;
        if (frame.Length < header.FrameLength)
        {
            return SignedFrameKind.NotSignable;
        }
        var data = frame.Slice(FrameHeader.Size, header.DataLength);
        return header.Layout == HeaderLayout.Hj1239
            ? LocateHj(header, data, protocol, userItems, out parts)
            : LocateGb(header, data, out parts);
    }

    private static SignedFrameKind LocateHj(in FrameHeader header, ReadOnlySpan<byte> data, ListenerProtocol protocol,
        Hj1239UserItemLayout userItems, out SignedParts parts)
    {
        parts = default;
        // Annex Q ports have no signatures.
        if (header.Command is not (Hj1239Command.Realtime or Hj1239Command.Reissue) || protocol == ListenerProtocol.Gb17691)
        {
            return SignedFrameKind.NotSignable;
        }
        // A ciphertext (mode 3) cannot be walked without the payload key: no signature can be shown, so a vehicle with a
        // filed key cannot slip unverified data past a Reject listener by setting the encryption byte.
        if (header.Encryption != Gb32960Encryption.None)
        {
            return SignedFrameKind.Missing;
        }
        var walker = new Hj1239ItemWalker(data, protocol == ListenerProtocol.Hj1239 ? Hj1239Layout.Hj1239 : Hj1239Layout.Auto, userItems);
        if (walker.Layout != Hj1239Layout.Hj1239)
        {
            return SignedFrameKind.NotSignable; // an Annex Q frame on an auto port
        }
        if (!walker.SkipToEnd() || !walker.HasSignature)
        {
            return SignedFrameKind.Missing;
        }
        parts = new SignedParts(walker.SignedBytes, walker.SignatureR, walker.SignatureS);
        return SignedFrameKind.Sm2;
    }

    private static SignedFrameKind LocateGb(in FrameHeader header, ReadOnlySpan<byte> data, out SignedParts parts)
    {
        parts = default;
        if (header.Marker != FrameMarker.Dollar || header.ResponseFlag != Gb32960ResponseFlags.Command
            || header.Command is not (Gb32960Command.RealtimeReport or Gb32960Command.ReissueReport))
        {
            return SignedFrameKind.NotSignable;
        }
        if (header.Encryption != Gb32960Encryption.None || !RealtimeReport.TryLocateSignature(data, Gb32960Edition.V2025, out int starterAt, out byte algorithm, out var r, out var s))
        {
            return SignedFrameKind.Missing;
        }
        if (algorithm != Gb32960Signature.Sm2)
        {
            return SignedFrameKind.OtherAlgorithm;
        }
        parts = new SignedParts(data[..starterAt], data[r], data[s]);
        return SignedFrameKind.Sm2;
    }
}
