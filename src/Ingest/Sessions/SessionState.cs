namespace Ingest.Sessions;

/// <summary>Where a session's loop is, kept as a breadcrumb for fault and timeout logs.</summary>
public enum SessionState
{
    Starting,
    Reading,
    Framing,
    Committing,
    Replying,
    Closing,
}
