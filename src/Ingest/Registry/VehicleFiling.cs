namespace Ingest.Registry;

/// <summary>
/// One vehicle as the OEM filed it: the terminal and security chip it carries, who owns it, and which superior
/// platforms it is filed with. A VIN that has no filing is unknown to the platform.
/// </summary>
/// <param name="Vin">The 17-character VIN, as text (the registry only files text VINs).</param>
/// <param name="Tenant">The OEM or fleet owner; HTTP API keys see only their tenant's vehicles.</param>
/// <param name="Iccid">The SIM's ICCID (20 characters), checked at login under <c>registered-iccid</c>.</param>
/// <param name="ChipId">The security chip's id: the SM2 user id for signature checks.</param>
/// <param name="Sm2PublicKey">The chip's SM2 public key, uncompressed (0x04 || X || Y, 65 bytes); null when not filed.</param>
/// <param name="Model">Vehicle model, for reports.</param>
/// <param name="Platforms">Names of the forwarder links (superior platforms) the vehicle is filed with.</param>
public sealed record VehicleFiling(
    string Vin,
    string Tenant,
    string? Iccid = null,
    string? ChipId = null,
    byte[]? Sm2PublicKey = null,
    string? Model = null,
    IReadOnlyList<string>? Platforms = null)
{
    public IReadOnlyList<string> Platforms { get; init; } = Platforms ?? [];

    /// <summary>True when the vehicle is filed with the superior platform behind the forwarder link of this name.</summary>
    public bool IsFiledWith(string platform) => Platforms.Contains(platform, StringComparer.OrdinalIgnoreCase);
}
