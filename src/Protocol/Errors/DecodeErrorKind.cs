namespace Ingest.Protocol.Errors;

/// <summary>Why bytes were rejected. A closed set, so metrics and tests can name every outcome.</summary>
public enum DecodeErrorKind : byte
{
    None = 0,
    /// <summary>Bytes before a start marker, or a marker whose header is not plausible. Skipped and counted.</summary>
    Junk,
    /// <summary>The XOR check byte does not match the bytes it covers. The frame is dropped.</summary>
    Checksum,
    /// <summary>The declared data-unit length exceeds the configured maximum frame size.</summary>
    Length,
    /// <summary>A header field is outside what the protocol allows (command, flag, encryption, identifier).</summary>
    Header,
    /// <summary>The data unit ends before a field that the command or info type requires.</summary>
    Truncated,
    /// <summary>Bytes remain after the last field that the layout defines.</summary>
    TrailingBytes,
    /// <summary>A command id that this codec does not know.</summary>
    UnknownCommand,
    /// <summary>A standard info type whose body layout is unknown, so the rest of the data unit cannot be walked.</summary>
    UnknownInfoType,
    /// <summary>A field holds a value the standard forbids (for example month 13 in a time).</summary>
    InvalidValue,
    /// <summary>The data unit is encrypted and no key is configured; the raw bytes are kept.</summary>
    Encrypted,
    /// <summary>A layout the codec recognises as a legacy or draft variant it does not decode.</summary>
    UnsupportedLayout,
    /// <summary>The frame is valid but arrives for another vehicle than the one logged in on this connection.</summary>
    VinMismatch,
    /// <summary>
    /// A partial frame waited longer than its reader allows (a corrupted length, a terminal stalled mid-frame). Its
    /// start marker is skipped and the bytes after it are scanned again, so a real frame behind it is still read.
    /// </summary>
    Abandoned,
}
