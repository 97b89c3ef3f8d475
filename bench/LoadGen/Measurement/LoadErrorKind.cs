namespace LoadGen.Measurement;

/// <summary>What went wrong, as a terminal sees it. A closed set so the report can list every kind.</summary>
public enum LoadErrorKind
{
    /// <summary>The target answered the connect with RST (nothing listening, or its backlog is full).</summary>
    ConnectRefused,
    /// <summary>No answer to the connect within the connect timeout.</summary>
    ConnectTimeout,
    /// <summary>No local port left on the source address (add source addresses).</summary>
    SourcePortsExhausted,
    /// <summary>This process may open no more sockets (ulimit -n): fewer terminals, or a higher limit.</summary>
    LocalSocketLimit,
    /// <summary>Any other connect failure.</summary>
    ConnectFailed,
    /// <summary>Sending failed (connection reset or closed by the peer).</summary>
    SendFailed,
    /// <summary>The peer reset the connection while the terminal was using it.</summary>
    ConnectionReset,
    /// <summary>The peer closed the connection before the terminal logged out.</summary>
    RemoteClosed,
    /// <summary>No login reply within the acknowledgement timeout.</summary>
    LoginTimeout,
    /// <summary>The login reply carried a failure flag (GB: not 0x01).</summary>
    LoginRejected,
    /// <summary>A reply to a frame other than login carried a failure flag.</summary>
    ReplyRejected,
    /// <summary>A request got no reply although a later request of the connection did (replies come in order).</summary>
    ReplyMissing,
    /// <summary>A reply that matches no outstanding request (wrong command, or nothing outstanding).</summary>
    UnexpectedReply,
    /// <summary>A reply that names another VIN than the terminal's.</summary>
    ReplyVinMismatch,
    /// <summary>Bytes from the peer that are not a frame (junk, bad check byte, oversized length).</summary>
    MalformedReply,
    /// <summary>Oldest outstanding request older than the acknowledgement timeout: the terminal drops the link, as real ones do.</summary>
    AckTimeout,
    /// <summary>Requests still unanswered when the connection ended.</summary>
    Unanswered,
}

public static class LoadErrorKinds
{
    public static readonly LoadErrorKind[] All = Enum.GetValues<LoadErrorKind>();

    /// <summary>snake_case names for reports and JSON.</summary>
    public static string Name(this LoadErrorKind kind) => kind switch
    {
        LoadErrorKind.ConnectRefused => "connect_refused",
        LoadErrorKind.ConnectTimeout => "connect_timeout",
        LoadErrorKind.SourcePortsExhausted => "source_ports_exhausted",
        LoadErrorKind.LocalSocketLimit => "local_socket_limit",
        LoadErrorKind.ConnectFailed => "connect_failed",
        LoadErrorKind.SendFailed => "send_failed",
        LoadErrorKind.ConnectionReset => "connection_reset",
        LoadErrorKind.RemoteClosed => "remote_closed",
        LoadErrorKind.LoginTimeout => "login_timeout",
        LoadErrorKind.LoginRejected => "login_rejected",
        LoadErrorKind.ReplyRejected => "reply_rejected",
        LoadErrorKind.ReplyMissing => "reply_missing",
        LoadErrorKind.UnexpectedReply => "unexpected_reply",
        LoadErrorKind.ReplyVinMismatch => "reply_vin_mismatch",
        LoadErrorKind.MalformedReply => "malformed_reply",
        LoadErrorKind.AckTimeout => "ack_timeout",
        _ => "unanswered",
    };
}
