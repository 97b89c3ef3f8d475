using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;

namespace Ingest.Tests.Support;

/// <summary>Valid frames for session tests: data units taken from real vectors, re-wrapped for any VIN.</summary>
public static class Frames
{
    /// <summary>node_vehicleLogin_test: login data unit (time, serial 0x001F, ICCID, 1 subsystem, code length 0).</summary>
    private static readonly byte[] LoginData = Convert.FromHexString("12061610150F001F3839383630363136303230303436333739363239" + "0100");

    /// <summary>rtm_con #5: realtime data unit with only the whole-vehicle block.</summary>
    private static readonly byte[] RealtimeData = Convert.FromHexString("190A1B14020201FFFFFFFFFFFFFFFFFFFFFFFFFFFFFF3FFFFFFFFF");

    /// <summary>rtm_con #21: logout data unit (time + serial).</summary>
    private static readonly byte[] LogoutData = Convert.FromHexString("190A1B1402020802");

    /// <summary>quant_trade #1: GB 17691 realtime data unit (OBD + diesel stream).</summary>
    public static readonly byte[] AnnexQRealtime = Convert.FromHexString(
        "2323024C45575043413030304A463236303133340101009114060B10131801C4B6000075218BA64C45575043413030304A4632363031333431313131313131313131313131313131313131313131313131313131313131313131313130303030303030303030303030303030303030303030303030303030303030303030303000025F82890F6D7A8A8739000100020FDCAF003C224047A058822E710005EC987D020600D68F8922A2FA");

    public static byte[] Gb(byte command, string vin, ReadOnlySpan<byte> data, FrameMarker marker = FrameMarker.Hash)
    {
        var header = new FrameHeader(marker, HeaderLayout.Gb32960, command, Gb32960ResponseFlags.Command, Vin.Parse(vin), 0,
            Gb32960Encryption.None, data.Length);
        var frame = new byte[FrameHeader.Overhead + data.Length];
        FrameEncoding.Write(frame, header, data);
        return frame;
    }

    public static byte[] Login(string vin) => Gb(0x01, vin, LoginData);

    public static byte[] Realtime(string vin) => Gb(0x02, vin, RealtimeData);

    public static byte[] Reissue(string vin) => Gb(0x03, vin, RealtimeData);

    public static byte[] Logout(string vin) => Gb(0x04, vin, LogoutData);

    public static byte[] Heartbeat(string vin) => Gb(0x07, vin, []);

    public static byte[] TimeSync(string vin) => Gb(0x08, vin, []);

    public static FrameHeader Header(byte[] frame)
    {
        Assert.True(WholeFrame.TryValidate(frame, new FramingOptions { MaxFrameBytes = 65556 }, out var header, out var error), error.ToString());
        return header;
    }
}
