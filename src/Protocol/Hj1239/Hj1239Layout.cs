namespace Ingest.Protocol.Hj1239;

/// <summary>
/// How a realtime/reissue data unit (0x02/0x03) is laid out. Both variants share the 24-byte header and every
/// other command's data unit; they differ only in where the serial and the collection time sit. A terminal does
/// not say which one it speaks (its firmware has a mode switch), so the layout is chosen per listener.
/// </summary>
public enum Hj1239Layout : byte
{
    /// <summary>
    /// Decide per frame from the bytes (see <see cref="Hj1239LayoutDetection"/>). For commands whose data unit is
    /// the same in both variants (login, logout, time sync) the layout stays undetermined and the frame keeps
    /// <see cref="Auto"/>. Prefer a fixed layout per listener where the fleet is known.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// GB 17691-2018 Annex Q: collection time(6), then repeated type BYTE + info serial WORD + body. No signature,
    /// no platform replies. [C: XCMG terminal code, HJ terminal "mode 0", four real frames]
    /// </summary>
    AnnexQ = 1,

    /// <summary>
    /// HJ 1239.2-2021: send time(6) + info serial WORD, then repeated type BYTE + collection time(6) + body, then an
    /// optional SM2 signature (R length BYTE + R + S length BYTE + S). Every uplink expects a reply. [S: HJ terminal
    /// code <c>buildRealData</c>, stub-gb-client analysis]
    /// </summary>
    Hj1239 = 2,
}
