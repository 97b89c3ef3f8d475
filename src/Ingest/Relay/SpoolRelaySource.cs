using Ingest.Forwarder.Links;
using Ingest.Records;
using Ingest.Spool;

namespace Ingest.Relay;

/// <summary>Feeds a platform link from its own named spool consumer, unwrapping each record's frame.</summary>
public sealed class SpoolRelaySource : IRelaySource
{
    private readonly ISpoolConsumer _consumer;

    public SpoolRelaySource(ISpoolConsumer consumer) => _consumer = consumer;

    public async ValueTask<RelayBatch> ReadAsync(int maxFrames, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var batch = await _consumer.ReadAsync(maxFrames, maxWait, cancellationToken);
        var items = new List<RelayItem>(batch.Count);
        foreach (var record in batch.Records)
        {
            // A frame a Reject listener refused for its signature is never relayed.
            if (FrameEnvelope.TryRead(record.Payload, out var envelope) && !Signatures.EnvelopeSignatures.IsQuarantined(envelope))
            {
                items.Add(new RelayItem(record.Offset, record.NextOffset, envelope.ReceivedAt, envelope.Frame));
            }
        }
        return new RelayBatch(items, batch.NextOffset, batch);
    }

    public ValueTask CommitAsync(long nextOffset, CancellationToken cancellationToken) => _consumer.CommitAsync(nextOffset, cancellationToken);

    public void Rewind() => _consumer.Rewind();
}
