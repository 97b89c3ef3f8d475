using Ingest.Forwarder.Links;
using Ingest.Records;
using Ingest.Spool;

namespace Ingest.Relay;

/// <summary>
/// A platform link as a spool consumer's delivery: prepare = connect and log in, a batch = its records' frames
/// relayed (delivered once the platform confirmed them), flush = the confirmation barrier and the idle heartbeat.
/// </summary>
internal sealed class PlatformLinkDelivery(PlatformLink link, RegistryRelayFilter? filter = null) : ISpoolBatchDelivery
{
    // The link writes a batch's frames before SendAsync returns, so one list serves every batch.
    private readonly List<RelayItem> _items = [];

    public ValueTask PrepareAsync(CancellationToken cancellationToken) => new(link.ConnectAsync(cancellationToken));

    public ValueTask<Task> SendAsync(SpoolBatch batch, CancellationToken cancellationToken)
    {
        _items.Clear();
        foreach (var record in batch.Records)
        {
            // A frame refused for its signature is in the spool for the quarantine table only: never relayed. A frame
            // the registry filter leaves out (unfiled, not filed with this platform) is still covered by the batch's
            // NextOffset: the cursor moves past it.
            if (FrameEnvelope.TryRead(record.Payload, out var envelope) && !Signatures.EnvelopeSignatures.IsQuarantined(envelope)
                && (filter is null || filter.Accepts(envelope)))
            {
                _items.Add(new RelayItem(record.Offset, record.NextOffset, envelope.ReceivedAt, envelope.Frame));
            }
        }
        return link.RelayAsync(_items, batch.NextOffset, cancellationToken);
    }

    public ValueTask FlushAsync(SpoolFlushReason reason, CancellationToken cancellationToken) =>
        link.FlushAsync(now: reason != SpoolFlushReason.Idle, cancellationToken);
}
