namespace Ingest.Protocol.Errors;

/// <summary>
/// Bad input as a value: what was wrong and where. The hot path returns these instead of throwing.
/// </summary>
/// <param name="Kind">The closed reason.</param>
/// <param name="Offset">Byte offset within the frame (or within the scanned buffer for framing errors).</param>
/// <param name="Expected">An expected value when one applies (check byte, length), else -1.</param>
/// <param name="Actual">The value found, else -1.</param>
public readonly record struct DecodeError(DecodeErrorKind Kind, int Offset, long Expected = -1, long Actual = -1)
{
    public static DecodeError None => default;

    public bool IsError => Kind != DecodeErrorKind.None;

    public override string ToString() =>
        Expected >= 0 || Actual >= 0
            ? $"{Kind} at offset {Offset} (expected {Expected}, actual {Actual})"
            : $"{Kind} at offset {Offset}";
}
