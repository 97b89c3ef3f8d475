using Ingest.Protocol.Errors;

namespace Ingest.Protocol.Gb32960.Internal;

/// <summary>The few error shapes body readers return. Offsets are relative to the data unit; the decoder adds 24.</summary>
internal static class BodyErrors
{
    /// <summary>A field of <paramref name="fieldSize"/> bytes at <paramref name="position"/> runs past the data unit.</summary>
    public static DecodeError Truncated(int position, int fieldSize, int dataLength) =>
        new(DecodeErrorKind.Truncated, position, (long)position + fieldSize, dataLength);

    /// <summary>The layout ends at <paramref name="position"/> but the data unit is longer.</summary>
    public static DecodeError Trailing(int position, int dataLength) =>
        new(DecodeErrorKind.TrailingBytes, position, position, dataLength);

    public static DecodeError Invalid(int position, long actual) =>
        new(DecodeErrorKind.InvalidValue, position, -1, actual);

    public static DecodeError Shift(this DecodeError error, int by) =>
        error.IsError ? error with { Offset = error.Offset + by } : error;
}
