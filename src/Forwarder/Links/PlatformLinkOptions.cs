using System.ComponentModel.DataAnnotations;

namespace Ingest.Forwarder.Links;

/// <summary>One superior platform (national, provincial, or a legacy platform during migration).</summary>
public sealed class PlatformLinkOptions
{
    /// <summary>Name used for the link's spool cursor, metrics and logs. Must be unique and stable.</summary>
    [Required, RegularExpression("^[a-z0-9_-]{1,40}$", ErrorMessage = "Name must be 1-40 of a-z, 0-9, '_' or '-'.")]
    public string Name { get; set; } = "";

    [Required]
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; }

    /// <summary>Platform login user name issued by the superior platform's operator: at most 12 ASCII characters.</summary>
    [Required, StringLength(12)]
    public string Username { get; set; } = "";

    /// <summary>Platform login password: at most 20 ASCII characters.</summary>
    [Required, StringLength(20)]
    public string Password { get; set; } = "";

    /// <summary>This platform's unique code, sent as the identifier of platform frames: at most 17 ASCII characters.</summary>
    [Required, StringLength(17)]
    public string PlatformCode { get; set; } = "";

    /// <summary>Encryption rule announced at platform login (0x01 none). Relayed frames keep their own encryption byte.</summary>
    public byte EncryptionRule { get; set; } = 0x01;

    /// <summary>Heartbeat period while the link is idle. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for the platform's answer to a login or heartbeat. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ReplyTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay after a failure, doubled (with jitter) up to <see cref="MaxReconnectDelay"/>. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MinReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay; at least <see cref="MinReconnectDelay"/>. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A realtime frame received longer ago than this when it is relayed (because the link was down or behind) is
    /// sent as a reissue (0x03) with its original time, as GB/T 32960.3 §1.8 asks. Default 30 s.
    /// </summary>
    public TimeSpan RealtimeWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Frames relayed per write. Default 256.</summary>
    [Range(1, 10_000)]
    public int BatchFrames { get; set; } = 256;

    public Filters.RelayFilterOptions Filter { get; set; } = new();
}
