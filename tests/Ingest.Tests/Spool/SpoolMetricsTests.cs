using System.Diagnostics.Metrics;
using Ingest.Spool;
using Microsoft.Extensions.DependencyInjection;
using static Ingest.Tests.Spool.SpoolTestSupport;

namespace Ingest.Tests.Spool;

public class SpoolMetricsTests
{
    [Fact]
    public async Task Commits_are_measured_on_the_Ingest_Spool_meter()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var totals = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Ingest.Spool" && instrument.Meter.Scope == meterFactory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument.Name, value));
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Add(instrument.Name, value));
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => Add(instrument.Name, 1));
        listener.Start();

        using var dir = new TempSpoolDirectory();
        await using (var spool = FileSpool.Open(dir.Options(), meterFactory: meterFactory))
        {
            for (var i = 0; i < 5; i++)
            {
                await spool.AppendCommittedAsync(Payload(i, 92));
            }

            listener.RecordObservableInstruments();
        }

        lock (totals)
        {
            Assert.Equal(5, totals["ingest.spool.appended.records"]);
            Assert.Equal(5 * 100, totals["ingest.spool.appended.bytes"]);
            Assert.InRange(totals["ingest.spool.commit.duration"], 1, 5); // one sample per commit
            Assert.Equal(5, totals["ingest.spool.commit.records"]);
            Assert.Equal(32 + (5 * 100), totals["ingest.spool.disk.usage"]);
        }

        void Add(string name, double value)
        {
            lock (totals)
            {
                totals[name] = totals.GetValueOrDefault(name) + value;
            }
        }
    }
}
