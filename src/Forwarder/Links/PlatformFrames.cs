using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Primitives;

namespace Ingest.Forwarder.Links;

/// <summary>The frames a link sends on its own behalf (GB/T 32960.3 §1.4.3), built by the protocol's builders.</summary>
public static class PlatformFrames
{
    public const byte Realtime = Gb32960Command.RealtimeReport;
    public const byte Reissue = Gb32960Command.ReissueReport;
    public const byte PlatformLogin = Gb32960Command.PlatformLogin;
    public const byte PlatformLogout = Gb32960Command.PlatformLogout;
    public const byte Heartbeat = Gb32960Command.Heartbeat;

    public static byte[] Login(Vin platformCode, GbTime now, ushort serial, string username, string password, byte encryptionRule)
    {
        var frame = new byte[Gb32960Replies.PlatformLoginLength];
        Gb32960Replies.PlatformLogin(frame, Gb32960Edition.V2016, platformCode, now, serial, username, password, encryptionRule);
        return frame;
    }

    public static byte[] Logout(Vin platformCode, GbTime now, ushort serial)
    {
        var frame = new byte[Gb32960Replies.PlatformLogoutLength];
        Gb32960Replies.PlatformLogout(frame, Gb32960Edition.V2016, platformCode, now, serial);
        return frame;
    }

    public static byte[] HeartbeatFrame(Vin platformCode)
    {
        var frame = new byte[Gb32960Replies.HeartbeatLength];
        Gb32960Replies.Heartbeat(frame, Gb32960Edition.V2016, platformCode);
        return frame;
    }

    /// <summary>Turns a relayed realtime frame into a reissue in place: command 0x03, check byte recomputed, data untouched.</summary>
    public static void RewriteAsReissue(Span<byte> frame)
    {
        frame[2] = Reissue;
        FrameEncoding.Seal(frame);
    }
}
