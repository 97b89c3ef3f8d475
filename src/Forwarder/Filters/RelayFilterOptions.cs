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
}
