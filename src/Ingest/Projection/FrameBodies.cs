using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;

namespace Ingest.Projection;

/// <summary>
/// What a spool record's frame holds, decided without decoding it: the same verdicts the decoders (and so the
/// projections built on them before) reach, for the bodies storage and live state use. Both projectors ask here, so
/// the rows and the state agree on which frames count as decoded.
/// </summary>
internal static class FrameBodies
{
    /// <summary>Any frame either standard allows, custom GB commands included (the spool only holds framed bytes).</summary>
    public static readonly FramingOptions AnyFrame = new() { MaxFrameBytes = FrameHeader.Overhead + FrameHeader.MaxDataLength, AllowCustomCommands = true };

    /// <summary>Which GB/T 32960 body the record holds: the one <see cref="Gb32960Decoder"/> would decode, or none.</summary>
    public static GbBody ClassifyGb(in FrameHeader header, Gb32960Edition edition, ReadOnlySpan<byte> data)
    {
        // Replies carry no vehicle data; a ciphertext cannot be read without keys (the decoder keeps both raw).
        if (header.ResponseFlag != Gb32960ResponseFlags.Command || header.Encryption != Gb32960Encryption.None && !data.IsEmpty)
        {
            return GbBody.None;
        }
        return header.Command switch
        {
            Gb32960Command.RealtimeReport or Gb32960Command.ReissueReport when !RealtimeReport.Check(data, edition).IsError => GbBody.Realtime,
            Gb32960Command.VehicleLogin when IsGbLogin(data, edition) => GbBody.Login,
            Gb32960Command.VehicleLogout when data.Length == GbTime.Size + 2 => GbBody.Logout,
            _ => GbBody.None,
        };
    }

    /// <summary>The length rule of <see cref="VehicleLogin"/>: time, serial, ICCID, n, then exactly the codes the counts announce.</summary>
    private static bool IsGbLogin(ReadOnlySpan<byte> data, Gb32960Edition edition)
    {
        const int countAt = GbTime.Size + 2 + VehicleLogin.IccidLength;
        if (data.Length <= countAt)
        {
            return false;
        }
        int n = data[countAt];
        if (edition == Gb32960Edition.V2025)
        {
            int codesAt = countAt + 1 + n;
            if (data.Length < codesAt)
            {
                return false;
            }
            int codes = 0;
            foreach (byte perSubsystem in data.Slice(countAt + 1, n))
            {
                codes += perSubsystem;
            }
            return data.Length - codesAt == codes * VehicleLogin.CodeLength2025;
        }
        return data.Length > countAt + 1 && data.Length - (countAt + 2) == n * data[countAt + 1];
    }

    /// <summary>
    /// Which HJ 1239 body the record holds, as the full decode (Hj1239Decoder with the fallback to auto-detection) reads it: realtime/reissue items in the port's
    /// layout, or in the layout the bytes show when that fails; logins and logouts of their exact length.
    /// </summary>
    public static HjBody ClassifyHj(in FrameHeader header, ReadOnlySpan<byte> data, ListenerProtocol protocol, Hj1239UserItemLayout userItems,
        out Hj1239Layout layout)
    {
        layout = Hj1239Layout.Auto;
        if (header.Encryption is >= Gb32960Encryption.Rsa and <= Gb32960Encryption.Sm4 && !data.IsEmpty)
        {
            return HjBody.None;
        }
        switch (header.Command)
        {
            case Hj1239Command.Realtime or Hj1239Command.Reissue:
                var configured = protocol switch
                {
                    ListenerProtocol.Gb17691 => Hj1239Layout.AnnexQ,
                    ListenerProtocol.Hj1239 => Hj1239Layout.Hj1239,
                    _ => Hj1239Layout.Auto,
                };
                return Walks(data, configured, userItems, out layout) || configured != Hj1239Layout.Auto && Walks(data, Hj1239Layout.Auto, userItems, out layout)
                    ? HjBody.Data
                    : HjBody.None;
            case Hj1239Command.Login:
                return data.Length == Hj1239LoginBody.Length ? HjBody.Login : HjBody.None;
            case Hj1239Command.Logout:
                return data.Length == Hj1239LogoutBody.Length ? HjBody.Logout : HjBody.None;
            default:
                return HjBody.None;
        }
    }

    private static bool Walks(ReadOnlySpan<byte> data, Hj1239Layout layout, Hj1239UserItemLayout userItems, out Hj1239Layout resolved)
    {
        var walker = new Hj1239ItemWalker(data, layout, userItems);
        resolved = walker.Layout;
        return walker.SkipToEnd();
    }

    public enum GbBody
    {
        None,
        Realtime,
        Login,
        Logout,
    }

    public enum HjBody
    {
        None,
        Data,
        Login,
        Logout,
    }
}
