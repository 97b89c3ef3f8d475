namespace Ingest.Forwarder.Filters;

/// <summary>Which frames a link relays. Default: GB/T 32960 vehicle login, realtime, reissue and logout of every VIN.</summary>
public sealed class RelayFilterOptions
{
    /// <summary>VINs to relay; empty relays every vehicle.</summary>
    public List<string> Vins { get; set; } = [];

    /// <summary>Command ids to relay. Default 0x01-0x04 (login, realtime, reissue, logout).</summary>
    public List<byte> Commands { get; set; } = [0x01, 0x02, 0x03, 0x04];

    /// <summary>Relay HJ 1239 / GB 17691 frames too (byte for byte). Off by default: the HJ 1239.3 platform link is not specified here.</summary>
    public bool IncludeHj1239 { get; set; }

    /// <summary>
    /// Relay frames of vehicles that are not in the registry (admitted by an open listener, marked unfiled). Default
    /// false: a superior platform receives only vehicles the OEM filed.
    /// </summary>
    public bool RelayUnfiled { get; set; }

    /// <summary>
    /// Relay only vehicles whose filing names this link (the filing's platforms list holds the link's Name). Default
    /// false: every filed vehicle is relayed. Follows registry changes without a restart.
    /// </summary>
    public bool RelayOnlyFiledWith { get; set; }
}
