using System.Diagnostics.CodeAnalysis;

namespace Ingest.Protocol.Errors;

/// <summary>Cold throw sites, so callers stay small enough to inline. Only for bugs, never for bad input.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ArgumentOutOfRange(string paramName, string message) =>
        throw new ArgumentOutOfRangeException(paramName, message);

    [DoesNotReturn]
    public static void Argument(string paramName, string message) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void InvalidOperation(string message) =>
        throw new InvalidOperationException(message);
}
