using System.ComponentModel.DataAnnotations;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Signatures;

namespace Ingest.Hosting;

/// <summary>Which protocol family a terminal port speaks. The framer and decoder are chosen from it.</summary>
public enum ListenerProtocol
{
    /// <summary>Accept every family, told apart by start marker and header byte 3.</summary>
    Auto,
    /// <summary>GB/T 32960.3 electric vehicles, 2016 ("##") and 2025 ("$$").</summary>
    Gb32960,
    /// <summary>HJ 1239.2 heavy-duty terminals (per-item collection time, SM2 signature).</summary>
    Hj1239,
    /// <summary>GB 17691-2018 Annex Q heavy-duty terminals (type + serial items, no replies).</summary>
    Gb17691,
}

/// <summary>One TCP port that terminals connect to.</summary>
public sealed class ListenerOptions
{
    /// <summary>Name used in metrics and logs; defaults to "protocol:port".</summary>
    public string? Name { get; set; }

    /// <summary>Address to bind, default 0.0.0.0. Use 127.0.0.1 for tests.</summary>
    [Required]
    public string Address { get; set; } = "0.0.0.0";

    /// <summary>TCP port, 1-65535 (0 picks a free port, for tests).</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    public ListenerProtocol Protocol { get; set; } = ListenerProtocol.Auto;

    /// <summary>Which uplink commands get a reply. Defaults follow the standards (see <see cref="ReplyPolicyOptions"/>).</summary>
    public ReplyPolicyOptions Replies { get; set; } = new();

    /// <summary>
    /// A connection that completes no frame for this long is closed, however many bytes it trickles in (a byte every
    /// few minutes must not hold a connection for ever). Default 180 s (3 missed 60 s heartbeats).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>
    /// A partial frame still incomplete after this long is abandoned: its start marker is skipped and the bytes after
    /// it are scanned again, so a corrupted length field cannot stall its connection until MaxFrameBytes arrive and a
    /// good frame behind it is still read. Default 30 s; 0.1 s to 1 h.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan PartialFrameTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest frame accepted, in bytes (header + data + check). Default 16 KiB.</summary>
    [Range(64, 65556)]
    public int MaxFrameBytes { get; set; } = FramingOptions.DefaultMaxFrameBytes;

    /// <summary>
    /// Connections held at once on this port; more are accepted and closed at once, and counted. Default: unset, which
    /// means what the process's descriptor limit allows (shared by all listeners, see <c>ConnectionBudget</c>). A
    /// value is used as given but never above that limit, and the server refuses to start when the listeners'
    /// values add up to more than the limit allows.
    /// </summary>
    [Range(1, 10_000_000)]
    public int? MaxConnections { get; set; }

    /// <summary>
    /// Accept frames before a vehicle login. The first frame's VIN then binds the connection as a login would.
    /// Default true: terminals commonly send reissue data straight after a reconnect.
    /// </summary>
    public bool AllowFramesBeforeLogin { get; set; } = true;

    /// <summary>
    /// HJ 1239 / GB 17691 ports: how items of reserved and user-defined info types are delimited. Default
    /// <c>LengthPrefixed</c> (collection time or serial, WORD length, data: Bitnei's G6 reading); <c>RestOfItems</c>
    /// for a fleet whose custom item runs to the end; <c>Reject</c> refuses such frames as before.
    /// </summary>
    public Hj1239UserItemLayout Hj1239UserItems { get; set; } = Hj1239UserItemLayout.LengthPrefixed;

    /// <summary>
    /// SM2 signatures of HJ 1239 realtime/reissue and GB/T 32960-2025 reports: <c>Off</c> (default), <c>Flag</c>
    /// (verdict stored with the row, checked after the acknowledgement) or <c>Reject</c> (checked before it; invalid
    /// frames are not acknowledged and go to <c>frames_quarantine</c>). See <see cref="SignaturePolicy"/>.
    /// </summary>
    public SignaturePolicy Signatures { get; set; } = SignaturePolicy.Off;

    /// <summary>
    /// Who this port lets in (<c>Open</c>, <c>Registered</c>, <c>RegisteredIccid</c>). Default: unset, which means
    /// <c>Ingest:Admission</c>, itself <c>Registered</c> when unset.
    /// </summary>
    public Sessions.AdmissionPolicy? Admission { get; set; }

    public string DisplayName => Name ?? $"{Protocol.ToString().ToLowerInvariant()}:{Port}";

    /// <summary>The HJ decoder settings this port implies (layout from <see cref="Protocol"/>, user-defined items).</summary>
    public Hj1239DecoderOptions ToHj1239DecoderOptions() => new()
    {
        Layout = Protocol switch
        {
            ListenerProtocol.Gb17691 => Hj1239Layout.AnnexQ,
            ListenerProtocol.Hj1239 => Hj1239Layout.Hj1239,
            _ => Hj1239Layout.Auto,
        },
        UserItems = Hj1239UserItems,
    };

    public FramingOptions ToFramingOptions() => new()
    {
        MaxFrameBytes = MaxFrameBytes,
        Accepted = Protocol switch
        {
            ListenerProtocol.Gb32960 => AcceptedProtocols.Gb32960,
            ListenerProtocol.Hj1239 or ListenerProtocol.Gb17691 => AcceptedProtocols.Hj1239,
            _ => AcceptedProtocols.All,
        },
    };
}

/// <summary>
/// Reply per uplink command. Login, heartbeat and time sync are always answered where the protocol has replies;
/// realtime, reissue and logout acknowledgements vary by terminal model (GB/T 32960.3 leaves them optional).
/// GB 17691 Annex Q terminals expect no reply at all, so a Gb17691 listener never sends any.
/// </summary>
public sealed class ReplyPolicyOptions
{
    public bool Login { get; set; } = true;
    public bool Heartbeat { get; set; } = true;
    public bool TimeSync { get; set; } = true;
    public bool Realtime { get; set; } = true;
    public bool Reissue { get; set; } = true;
    public bool Logout { get; set; } = true;
    /// <summary>HJ 1239 removal (anti-tamper) alarm 0x06.</summary>
    public bool RemovalAlarm { get; set; } = true;
}
