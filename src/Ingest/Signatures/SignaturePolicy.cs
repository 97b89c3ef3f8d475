namespace Ingest.Signatures;

/// <summary>What a listener does with the SM2 signatures of HJ 1239 realtime/reissue frames and signed GB/T 32960-2025 reports.</summary>
public enum SignaturePolicy
{
    /// <summary>Not checked; the <c>signature</c> column says <c>not_checked</c>.</summary>
    Off,

    /// <summary>
    /// Checked by the ClickHouse sink after the frame was acknowledged, and stored with the row (valid, invalid, no_key,
    /// unsigned, missing); nothing is refused. Verification never delays an acknowledgement.
    /// </summary>
    Flag,

    /// <summary>
    /// Checked by the session before the acknowledgement: a frame whose signature is invalid, or that comes unsigned
    /// from a vehicle with a filed key, is not acknowledged, is counted, and goes to <c>frames_quarantine</c> only (never
    /// to the normal tables, the live state or a superior platform). Vehicles without a filed key pass, flagged no_key.
    /// </summary>
    Reject,
}
