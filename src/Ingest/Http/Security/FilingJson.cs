using System.Text.Json.Serialization;
using Ingest.Registry;

namespace Ingest.Http.Security;

/// <summary>
/// A filing as the HTTP API reads and writes it: the SM2 public key as hex (65 bytes, <c>04</c> || X || Y; 64 bytes
/// X || Y are accepted and get the prefix), every other field as the registry keeps it.
/// </summary>
public sealed record FilingJson
{
    [JsonPropertyName("vin")] public string? Vin { get; init; }
    [JsonPropertyName("tenant")] public string? Tenant { get; init; }
    [JsonPropertyName("iccid")] public string? Iccid { get; init; }
    [JsonPropertyName("chip_id")] public string? ChipId { get; init; }
    [JsonPropertyName("sm2_public_key")] public string? Sm2PublicKey { get; init; }
    [JsonPropertyName("model")] public string? Model { get; init; }
    [JsonPropertyName("platforms")] public IReadOnlyList<string>? Platforms { get; init; }

    public static FilingJson From(VehicleFiling filing) => new()
    {
        Vin = filing.Vin,
        Tenant = filing.Tenant,
        Iccid = filing.Iccid,
        ChipId = filing.ChipId,
        Sm2PublicKey = filing.Sm2PublicKey is { } key ? Convert.ToHexStringLower(key) : null,
        Model = filing.Model,
        Platforms = filing.Platforms,
    };

    /// <summary>
    /// The filing this body describes for <paramref name="tenant"/>, or the problems, each under its field name
    /// prefixed with <paramref name="field"/> (<c>[3].vin</c> in a bulk import).
    /// </summary>
    public VehicleFiling? ToFiling(string vin, string tenant, string field, Dictionary<string, string[]> problems)
    {
        int before = problems.Count;
        if (!IsVin(vin))
        {
            problems[field + "vin"] = [$"'{vin}' is not a VIN: 17 ASCII letters and digits."];
        }
        else if (Vin is { } bodyVin && !string.Equals(bodyVin, vin, StringComparison.Ordinal))
        {
            problems[field + "vin"] = [$"the body's VIN '{bodyVin}' is not the path's '{vin}'."];
        }
        if (tenant.Length is 0 or > 64 || !IsPrintableAscii(tenant))
        {
            problems[field + "tenant"] = ["tenant: 1 to 64 printable ASCII characters."];
        }
        if (Iccid is { } iccid && (iccid.Length is < 19 or > 20 || !iccid.All(char.IsAsciiLetterOrDigit)))
        {
            problems[field + "iccid"] = [$"'{iccid}' is not an ICCID: 19 or 20 ASCII letters and digits."];
        }
        if (ChipId is { } chip && (chip.Length is 0 or > 64 || !IsPrintableAscii(chip)))
        {
            problems[field + "chip_id"] = ["chip_id: 1 to 64 printable ASCII characters."];
        }
        byte[]? key = null;
        if (Sm2PublicKey is { } hex && !TryParseKey(hex, out key))
        {
            problems[field + "sm2_public_key"] = ["sm2_public_key: hex of 65 bytes starting 04 (uncompressed point), or of 64 bytes (X || Y)."];
        }
        if (Model is { Length: > 128 })
        {
            problems[field + "model"] = ["model: at most 128 characters."];
        }
        if (Platforms is { } platforms && platforms.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > 64))
        {
            problems[field + "platforms"] = ["platforms: names of 1 to 64 characters."];
        }
        return problems.Count == before ? new VehicleFiling(vin, tenant, Iccid, ChipId, key, Model, Platforms) : null;
    }

    public static bool IsVin(string vin) => vin.Length == 17 && vin.All(char.IsAsciiLetterOrDigit);

    private static bool IsPrintableAscii(string text) => text.All(c => c is >= '!' and <= '~' or ' ');

    private static bool TryParseKey(string hex, out byte[]? key)
    {
        key = null;
        if (hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigit))
        {
            return false;
        }
        var bytes = Convert.FromHexString(hex);
        if (bytes.Length == 65 && bytes[0] == 0x04)
        {
            key = bytes;
        }
        else if (bytes.Length == 64)
        {
            key = [0x04, .. bytes];
        }
        return key is not null;
    }
}
