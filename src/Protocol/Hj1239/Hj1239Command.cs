namespace Ingest.Protocol.Hj1239;

/// <summary>
/// Command ids of GB 17691-2018 Annex Q and HJ 1239.2-2021 (header byte 2). Same ids in both; 0x06-0x08 and 0x80
/// exist only in HJ 1239. China IV non-road terminals reportedly number some differently (removal alarm 0x05) -
/// that catalogue is not modelled here.
/// </summary>
public static class Hj1239Command
{
    /// <summary>Vehicle login: time(6) + login serial WORD + ICCID(20). Annex Q / HJ 1239.2 §6.3. [C]</summary>
    public const byte Login = 0x01;

    /// <summary>Realtime report: see <see cref="Hj1239Layout"/> for the two data-unit layouts. [C]</summary>
    public const byte Realtime = 0x02;

    /// <summary>Reissue (补发) report: same data unit as <see cref="Realtime"/>, stored while offline. [C]</summary>
    public const byte Reissue = 0x03;

    /// <summary>Vehicle logout: time(6) + the serial of the matching login. [C]</summary>
    public const byte Logout = 0x04;

    /// <summary>Terminal time sync: empty from the terminal; the platform reply carries a 6-byte time (31-byte frame). [C/S]</summary>
    public const byte TimeSync = 0x05;

    /// <summary>Vehicle removal (anti-tamper) alarm, HJ 1239 only: time + serial + position (17 bytes). [S]</summary>
    public const byte RemovalAlarm = 0x06;

    /// <summary>Activation/registration with the national platform, HJ 1239 only: time, chip id, SM2 public key, VIN, signature. [S]</summary>
    public const byte Activation = 0x07;

    /// <summary>Activation response (downlink), HJ 1239 only: status BYTE + reason BYTE. [S]</summary>
    public const byte ActivationResponse = 0x08;

    /// <summary>Parameter query (downlink), HJ 1239 only; the data unit is not defined in any source seen. [S]</summary>
    public const byte ParameterQuery = 0x80;

    /// <summary>True for the ids this codec gives a typed body (everything except <see cref="ParameterQuery"/>).</summary>
    public static bool HasTypedBody(byte command) => command is >= Login and <= ActivationResponse;

    /// <summary>A stable snake_case name for logs, metrics and JSON; "unknown" for other ids.</summary>
    public static string Name(byte command) => command switch
    {
        Login => "vehicle_login",
        Realtime => "realtime",
        Reissue => "reissue",
        Logout => "vehicle_logout",
        TimeSync => "time_sync",
        RemovalAlarm => "removal_alarm",
        Activation => "activation",
        ActivationResponse => "activation_response",
        ParameterQuery => "parameter_query",
        _ => "unknown",
    };
}
