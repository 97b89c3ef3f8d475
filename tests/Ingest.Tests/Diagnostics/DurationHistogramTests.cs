using System.Diagnostics.Metrics;
using Ingest.Diagnostics;
using Ingest.Forwarder.Diagnostics;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.Redis;
using Ingest.Spool;
using Ingest.Tests.Infrastructure;

namespace Ingest.Tests.Diagnostics;

/// <summary>
/// Every duration histogram is in seconds with explicit bucket boundaries: without them the exporter's defaults
/// (0, 5, 10, 25, ... meant for milliseconds) put every fsync, insert and acknowledgement in the first bucket and the
/// quantiles say nothing.
/// </summary>
public class DurationHistogramTests
{
    [Fact]
    public void Every_histogram_has_bucket_advice_and_durations_are_in_seconds()
    {
        using var meters = new TestMeterFactory();
        var histograms = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(Histogram<>))
                {
                    lock (histograms)
                    {
                        histograms.Add(instrument);
                    }
                }
            },
        };
        listener.Start();
        using var ingest = new IngestMetrics(meters);
        using var spool = new SpoolMetrics(meters, () => default);
        _ = new ClickHouseSinkMetrics(meters);
        _ = new RedisStateMetrics(meters);
        using var forwarder = new ForwarderMetrics(meters);
        _ = new SpoolConsumerMetrics(meters);

        Assert.Contains(histograms, h => h.Name == "ingest.ack.latency");
        Assert.Contains(histograms, h => h.Name == "ingest.spool.consumer.delivery.duration");
        Assert.All(histograms, h =>
        {
            var boundaries = h switch
            {
                Histogram<double> d => d.Advice?.HistogramBucketBoundaries?.Count,
                Histogram<int> i => i.Advice?.HistogramBucketBoundaries?.Count,
                Histogram<long> l => l.Advice?.HistogramBucketBoundaries?.Count,
                _ => null,
            };
            Assert.True(boundaries > 0, $"{h.Name} has no bucket advice");
            if (h.Name.EndsWith(".duration", StringComparison.Ordinal) || h.Name.EndsWith(".latency", StringComparison.Ordinal))
            {
                Assert.Equal("s", h.Unit);
            }
        });
    }
}
