using System.Buffers;
using Protocol.Tests.Support;

namespace Ingest.Fuzz.Targets;

/// <summary>
/// A broken promise of the code under test, found by a fuzz target. Thrown (never caught by the targets) so that
/// AFL records the input as a crash and the replay tests fail with the message.
/// </summary>
public sealed class InvariantViolation(string message) : Exception(message);

/// <summary>The checks the targets share: a condition with its message, and a per-input allocation budget.</summary>
public static class Invariant
{
    public static void That(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantViolation(message);
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> and fails when it allocated more than <paramref name="budget"/> bytes on this
    /// thread: the guard against a forged count sizing a buffer before the bytes behind it are known to exist. The
    /// first run of a code path also loads types and fills caches, so an overrun counts only if a repeat overruns too.
    /// </summary>
    public static void AllocatesAtMost(long budget, string what, Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        if (GC.GetAllocatedBytesForCurrentThread() - before <= budget)
        {
            return;
        }
        before = GC.GetAllocatedBytesForCurrentThread();
        action();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        That(allocated <= budget, $"{what}: allocated {allocated} bytes, budget {budget}");
    }

    /// <summary>
    /// Cuts <paramref name="bytes"/> into segments at positions drawn from <paramref name="seed"/>, so the
    /// multi-segment paths (a frame straddling pipe buffers) see the same bytes as the single-span ones.
    /// </summary>
    public static ReadOnlySequence<byte> Segmented(ReadOnlyMemory<byte> bytes, int seed)
    {
        if (bytes.Length < 2)
        {
            return new ReadOnlySequence<byte>(bytes);
        }
        var random = new Random(seed);
        var pieces = new List<ReadOnlyMemory<byte>> { bytes[..0] }; // an empty first segment is an edge of its own
        int position = 0;
        while (position < bytes.Length)
        {
            int size = Math.Min(bytes.Length - position, 1 + random.Next(Math.Max(1, bytes.Length / 3)));
            pieces.Add(bytes.Slice(position, size));
            position += size;
        }
        return Segments.FromPieces(pieces);
    }
}
