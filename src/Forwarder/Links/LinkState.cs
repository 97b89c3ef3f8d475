namespace Ingest.Forwarder.Links;

/// <summary>Where a link is; a breadcrumb in logs and a gauge in metrics.</summary>
public enum LinkState
{
    Stopped,
    Connecting,
    LoggingIn,
    Relaying,
    Confirming,
    Backoff,
    LoggingOut,
}
