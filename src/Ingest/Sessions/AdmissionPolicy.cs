using System.ComponentModel;
using System.Globalization;

namespace Ingest.Sessions;

/// <summary>
/// Who a terminal listener lets in. Set per listener (<c>Ingest:Listeners:N:Admission</c>) or for every listener
/// that sets none (<c>Ingest:Admission</c>, switch <c>--admission</c>); with no setting at all a listener is
/// <see cref="Registered"/>: an open port is a choice someone made for a test bench, never an accident.
/// Configuration accepts the names as written here or as <c>open</c>, <c>registered</c>, <c>registered-iccid</c>.
/// </summary>
[TypeConverter(typeof(AdmissionPolicyConverter))]
public enum AdmissionPolicy
{
    /// <summary>Every VIN is accepted; frames of vehicles not in the registry are marked unfiled (never relayed unless a link asks).</summary>
    Open,

    /// <summary>Only VINs in the registry; any other gets the edition's login-failure reply and is closed, nothing it sent is kept.</summary>
    Registered,

    /// <summary>As <see cref="Registered"/>, and the login's ICCID must be the filed one (so a vehicle must log in before any other frame).</summary>
    RegisteredIccid,
}

/// <summary>Reads <c>registered-iccid</c> (the and the README's spelling) as well as <c>RegisteredIccid</c>.</summary>
public sealed class AdmissionPolicyConverter : EnumConverter
{
    public AdmissionPolicyConverter() : base(typeof(AdmissionPolicy))
    {
    }

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text && TryParse(text, out var policy)
            ? policy
            : throw new FormatException($"'{value}' is not an admission policy: use open, registered or registered-iccid.");

    public static bool TryParse(string text, out AdmissionPolicy policy) =>
        Enum.TryParse(text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out policy)
        && Enum.IsDefined(policy);
}
