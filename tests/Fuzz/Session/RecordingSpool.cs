using Ingest.Spool;

namespace Ingest.Fuzz.Session;

/// <summary>
/// The spool as the session target needs it: every append commits at once (synchronously, so one input runs
/// deterministically on one thread) and is kept for the checks. Reading is not part of the session's read loop.
/// </summary>
internal sealed class RecordingSpool : IFrameSpool
{
    public List<byte[]> Records { get; } = [];

    public ValueTask<SpoolAppendResult> AppendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        Records.Add(payload.ToArray());
        return ValueTask.FromResult(new SpoolAppendResult(SpoolAppendStatus.Committed, Records.Count - 1));
    }

    public ISpoolConsumer OpenConsumer(string name) => throw new NotSupportedException("The session target only appends.");

    public SpoolConsumerRemoval RemoveConsumer(string name) => throw new NotSupportedException("The session target only appends.");

    public SpoolStats GetStats() => throw new NotSupportedException("The session target only appends.");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
