using System.Diagnostics;
using LoadGen.Measurement;

namespace LoadGen.Tests.Measurement;

public class LatencyRecorderTests
{
    [Fact]
    public void Percentiles_of_a_known_uniform_set()
    {
        var recorder = new LatencyRecorder();
        for (int ms = 1; ms <= 1000; ms++)
        {
            recorder.RecordMicroseconds(ms * 1000L);
        }

        var total = recorder.Total();

        Assert.Equal(1000, total.Count);
        // Three significant digits: every value is within 0.1 % of the exact percentile.
        Assert.InRange(total.P50Ms, 499.5, 500.5);
        Assert.InRange(total.P90Ms, 899.1, 900.9);
        Assert.InRange(total.P99Ms, 989.0, 991.0);
        Assert.InRange(total.P999Ms, 998.0, 1000.0);
        Assert.InRange(total.MaxMs, 999.0, 1001.0);
        Assert.InRange(total.MeanMs, 500.0, 501.0);
    }

    [Fact]
    public void A_single_outlier_shows_in_the_tail_only()
    {
        var recorder = new LatencyRecorder();
        for (int i = 0; i < 999; i++)
        {
            recorder.RecordMicroseconds(200);
        }
        recorder.RecordMicroseconds(50_000);

        var total = recorder.Total();

        Assert.InRange(total.P50Ms, 0.1995, 0.2005);
        Assert.InRange(total.P99Ms, 0.1995, 0.2005);
        Assert.InRange(total.MaxMs, 49.9, 50.1);
        Assert.InRange(total.P999Ms, 0.1995, 50.1);
    }

    [Fact]
    public void Intervals_hold_only_their_own_values_and_the_total_holds_all()
    {
        var recorder = new LatencyRecorder();
        recorder.RecordMicroseconds(1_000);
        recorder.RecordMicroseconds(1_000);
        var first = recorder.TakeInterval();
        recorder.RecordMicroseconds(9_000);
        var second = recorder.TakeInterval();
        var empty = recorder.TakeInterval();

        Assert.Equal(2, first.Count);
        Assert.InRange(first.MaxMs, 0.999, 1.001);
        Assert.Equal(1, second.Count);
        Assert.InRange(second.P50Ms, 8.99, 9.01);
        Assert.Equal(LatencySummary.Empty, empty);
        Assert.Equal(3, recorder.Total().Count);
    }

    [Fact]
    public void Values_beyond_the_range_are_clamped_not_lost()
    {
        var recorder = new LatencyRecorder();
        recorder.RecordMicroseconds(0);
        recorder.RecordMicroseconds(-5);
        recorder.RecordMicroseconds(LatencyRecorder.HighestTrackableMicroseconds * 10);

        var total = recorder.Total();

        Assert.Equal(3, total.Count);
        Assert.InRange(total.MaxMs, 59_000, 60_100);
    }

    [Fact]
    public void Elapsed_stopwatch_ticks_are_recorded_in_microseconds()
    {
        var recorder = new LatencyRecorder();
        long start = 1_000_000;
        recorder.RecordElapsed(start, start + Stopwatch.Frequency / 1000 * 3); // 3 ms

        Assert.InRange(recorder.Total().P50Ms, 2.99, 3.01);
    }

    [Fact]
    public async Task Recording_from_many_threads_loses_nothing()
    {
        var recorder = new LatencyRecorder();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 25_000; i++)
            {
                recorder.RecordMicroseconds(100 + i % 100);
                if (i % 5000 == 0)
                {
                    recorder.TakeInterval();
                }
            }
        })));

        Assert.Equal(100_000, recorder.Total().Count);
    }
}
