using Ingest.Forwarder.Links;

namespace Ingest.Relay;

/// <summary>The "Forwarder" section: superior platforms this node relays to. Empty means no relaying.</summary>
public sealed class ForwarderOptions
{
    public const string Section = "Forwarder";

    public List<PlatformLinkOptions> Links { get; set; } = [];
}
