using Ingest.Forwarder.Links;
using Ingest.Records;
using Ingest.Spool;

namespace Ingest.Relay;

/// <summary>Feeds a platform link from its own named spool consumer, unwrapping each record's frame.</summary>
public sealed class SpoolRelaySource : IRelaySource
{
    private readonly ISpoolConsumer _consumer;
    private readonly RegistryRelayFilter? _filter;

    /// <param name="consumer">The link's own spool consumer.</param>
    /// <param name="filter">What the registry lets this link relay; null relays every frame.</param>
    public SpoolRelaySource(ISpoolConsumer consumer, RegistryRelayFilter? filter = null)
    {
        _consumer = consumer;
        _filter = filter;
    }

    public async ValueTask<RelayBatch> ReadAsync(int maxFrames, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var batch = await _consumer.ReadAsync(maxFrames, maxWait, cancellationToken);
        var items = new List<RelayItem>(batch.Count);
        foreach (var record in batch.Records)
        {
            // A frame the filter leaves out is still covered by the batch's NextOffset: the cursor moves past it.
            if (FrameEnvelope.TryRead(record.Payload, out var envelope) && (_filter is null || _filter.Accepts(envelope)))
            {
                items.Add(new RelayItem(record.Offset, record.NextOffset, envelope.ReceivedAt, envelope.Frame));
            }
        }
        return new RelayBatch(items, batch.NextOffset, batch);
    }

    public ValueTask CommitAsync(long nextOffset, CancellationToken cancellationToken) => _consumer.CommitAsync(nextOffset, cancellationToken);

    public void Rewind() => _consumer.Rewind();
}
