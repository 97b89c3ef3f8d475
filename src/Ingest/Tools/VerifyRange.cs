using Ingest.Records;
using Ingest.Spool;

namespace Ingest.Tools;

/// <summary>
/// Which spool records verify and repair look at: an offset range [<see cref="FromOffset"/>, <see cref="ToOffset"/>)
/// and/or a receive-time range [<see cref="ReceivedFrom"/>, <see cref="ReceivedTo"/>); both when both are given.
/// </summary>
/// <remarks>
/// Times are whole seconds (<see cref="TryCreate"/> rounds the start down and the end up), because <c>received_at</c> is a
/// ClickHouse <c>DateTime</c>: a record and its rows then fall on the same side of each bound. A record whose envelope
/// is unreadable has the receive time the projector gives its row, the unix epoch.
/// </remarks>
public sealed record VerifyRange
{
    private VerifyRange(long? fromOffset, long? toOffset, DateTimeOffset? receivedFrom, DateTimeOffset? receivedTo)
    {
        FromOffset = fromOffset;
        ToOffset = toOffset;
        ReceivedFrom = receivedFrom;
        ReceivedTo = receivedTo;
    }

    public long? FromOffset { get; }

    public long? ToOffset { get; }

    public DateTimeOffset? ReceivedFrom { get; }

    public DateTimeOffset? ReceivedTo { get; }

    public static VerifyRange All { get; } = new(null, null, null, null);

    /// <summary>Checks and normalises a range; a message says what is wrong (exit code 2).</summary>
    public static bool TryCreate(long? fromOffset, long? toOffset, DateTimeOffset? receivedFrom, DateTimeOffset? receivedTo,
        out VerifyRange range, out string? error)
    {
        range = All;
        error = fromOffset < 0 || toOffset < 0 ? "offsets are never negative."
            : fromOffset >= toOffset ? $"--from-offset {fromOffset} is not before --to-offset {toOffset}."
            : receivedFrom >= receivedTo ? "--from is not before --to."
            : null;
        if (error is not null)
        {
            return false;
        }
        range = new VerifyRange(fromOffset, toOffset, receivedFrom is { } from ? Floor(from) : null, receivedTo is { } to ? Ceiling(to) : null);
        return true;
    }

    /// <summary>True when the record's receive time lies in the time range (always, without one).</summary>
    public bool ContainsReceiveTime(in SpoolRecord record)
    {
        if (ReceivedFrom is null && ReceivedTo is null)
        {
            return true;
        }
        long seconds = FrameEnvelope.TryRead(record.Payload, out var envelope) ? envelope.ReceivedAt.ToUnixTimeSeconds() : 0;
        return (ReceivedFrom is not { } from || seconds >= from.ToUnixTimeSeconds())
            && (ReceivedTo is not { } to || seconds < to.ToUnixTimeSeconds());
    }

    private static DateTimeOffset Floor(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());

    private static DateTimeOffset Ceiling(DateTimeOffset time)
    {
        var floor = Floor(time);
        return floor == time ? floor : floor.AddSeconds(1);
    }
}
