using Microsoft.Extensions.Logging;

namespace Ingest.Signatures;

/// <summary>Signature checks' log events, ids 1500-1549 (next free: 1502). Per-frame verdicts are metrics, not logs.</summary>
internal static partial class SignatureLog
{
    [LoggerMessage(EventId = 1500, EventName = "SignatureKeyUnusable", Level = LogLevel.Warning,
        Message = "[1500] The filed SM2 public key of {Vin} is not a point of the SM2 curve ({KeyBytes} bytes): its frames are judged no_key until the filing is corrected")]
    public static partial void KeyUnusable(ILogger logger, string vin, int keyBytes);

    [LoggerMessage(EventId = 1501, EventName = "SignatureKeysInvalidated", Level = LogLevel.Debug,
        Message = "[1501] Registry changed ({Vins} vehicles): cached signature keys dropped")]
    public static partial void KeysInvalidated(ILogger logger, int vins);

}
