using Ingest.Records;

namespace Ingest.Signatures;

/// <summary>
/// The verdict stored in the <c>signature</c> column (Enum8 with these values) and counted in
/// <c>ingest_signature_checks_total{verdict}</c>.
/// </summary>
public enum SignatureVerdict : byte
{
    /// <summary>The listener's policy is Off (and every row stored before signatures were checked).</summary>
    NotChecked = 0,

    /// <summary>SM2 over SM3 with the chip id as user id verifies with the filed public key.</summary>
    Valid = 1,

    /// <summary>A signature is present and does not verify (altered bytes, another key, malformed R/S).</summary>
    Invalid = 2,

    /// <summary>Signed, but nothing to check it with: the vehicle is not filed, has no key or chip id, or signed with another algorithm.</summary>
    NoKey = 3,

    /// <summary>The frame carries no signature: a command that has none, or a data frame sent without one by a vehicle with no key.</summary>
    Unsigned = 4,

    /// <summary>A realtime/reissue frame without a signature from a vehicle whose key is filed (rejected under Reject).</summary>
    Missing = 5,
}

/// <summary>The verdict names, as the ClickHouse enum and the metric label spell them.</summary>
public static class SignatureVerdicts
{
    public const string ColumnType =
        "Enum8('not_checked' = 0, 'valid' = 1, 'invalid' = 2, 'no_key' = 3, 'unsigned' = 4, 'missing' = 5)";

    public static string Name(SignatureVerdict verdict) => verdict switch
    {
        SignatureVerdict.NotChecked => "not_checked",
        SignatureVerdict.Valid => "valid",
        SignatureVerdict.Invalid => "invalid",
        SignatureVerdict.NoKey => "no_key",
        SignatureVerdict.Unsigned => "unsigned",
        SignatureVerdict.Missing => "missing",
        _ => "unknown",
    };

    /// <summary>What the Reject policy refuses.</summary>
    public static bool IsRejected(SignatureVerdict verdict) => verdict is SignatureVerdict.Invalid or SignatureVerdict.Missing;
}

/// <summary>
/// What the session wrote into the envelope's two signature bits (<see cref="EnvelopeFlags.SignatureVerdictMask"/>):
/// only the session knows the listener's policy, and the spool consumers must agree on it.
/// </summary>
public enum EnvelopeSignature : byte
{
    /// <summary>Policy Off: nothing to check.</summary>
    NotChecked = 0,

    /// <summary>Reject: checked before the acknowledgement, and valid.</summary>
    Valid = 1,

    /// <summary>Reject: checked before the acknowledgement and refused; the record is for the quarantine table only.</summary>
    Rejected = 2,

    /// <summary>Flag (or Reject with nothing to refuse: no key, unsigned command): the ClickHouse sink finds the verdict.</summary>
    Deferred = 3,
}

public static class EnvelopeSignatures
{
    private const int Shift = 5;

    public static EnvelopeSignature Of(EnvelopeFlags flags) => (EnvelopeSignature)(((byte)flags & (byte)EnvelopeFlags.SignatureVerdictMask) >> Shift);

    public static EnvelopeFlags ToFlags(EnvelopeSignature signature) => (EnvelopeFlags)((byte)signature << Shift) & EnvelopeFlags.SignatureVerdictMask;

    /// <summary>True for a record refused by a Reject listener: kept for audit, never stored as data nor relayed.</summary>
    public static bool IsQuarantined(in FrameEnvelope envelope) => Of(envelope.Flags) == EnvelopeSignature.Rejected;
}
