using System.Buffers.Binary;
using System.Text;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;

namespace Ingest.Forwarder.Links;

/// <summary>The frames a platform sends on its own behalf to a superior platform (GB/T 32960.3 §1.4.3, 0x05-0x07).</summary>
public static class PlatformFrames
{
    public const byte PlatformLogin = 0x05;
    public const byte PlatformLogout = 0x06;
    public const byte Heartbeat = 0x07;
    public const byte Realtime = 0x02;
    public const byte Reissue = 0x03;

    /// <summary>Platform login: time(6) + serial WORD + username(12) + password(20) + encryption rule, ASCII padded with 0x00.</summary>
    public static byte[] Login(Vin platformCode, GbTime now, ushort serial, string username, string password, byte encryptionRule)
    {
        Span<byte> data = stackalloc byte[41];
        data.Clear();
        now.Write(data);
        BinaryPrimitives.WriteUInt16BigEndian(data[6..], serial);
        Encoding.ASCII.GetBytes(username, data.Slice(8, 12));
        Encoding.ASCII.GetBytes(password, data.Slice(20, 20));
        data[40] = encryptionRule;
        return Build(PlatformLogin, platformCode, data);
    }

    /// <summary>Platform logout: time(6) + the login's serial.</summary>
    public static byte[] Logout(Vin platformCode, GbTime now, ushort serial)
    {
        Span<byte> data = stackalloc byte[8];
        now.Write(data);
        BinaryPrimitives.WriteUInt16BigEndian(data[6..], serial);
        return Build(PlatformLogout, platformCode, data);
    }

    public static byte[] HeartbeatFrame(Vin platformCode) => Build(Heartbeat, platformCode, []);

    /// <summary>A copy of a realtime frame turned into a reissue (command 0x03, check byte recomputed), data untouched.</summary>
    public static void RewriteAsReissue(Span<byte> frame)
    {
        frame[2] = Reissue;
        FrameEncoding.Seal(frame);
    }

    private static byte[] Build(byte command, Vin id, ReadOnlySpan<byte> data)
    {
        var header = new FrameHeader(FrameMarker.Hash, HeaderLayout.Gb32960, command, Gb32960ResponseFlags.Command, id, 0,
            Gb32960Encryption.None, data.Length);
        var frame = new byte[FrameHeader.Overhead + data.Length];
        FrameEncoding.Write(frame, header, data);
        return frame;
    }
}
