using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Ingest.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Ingest.Http.StatusPage;

/// <summary>
/// The live numbers of the status page, taken from the very instruments /metrics exports (meter
/// <see cref="IngestMetrics.MeterName"/>) through a <see cref="MeterListener"/>, so the page and a dashboard cannot
/// disagree about what a frame or a login is, and the sessions carry no second set of counters. Once a second it keeps
/// a sample of the running totals; rates and latency quantiles are over the <see cref="Window"/> since the oldest
/// sample, estimated from the histogram buckets as Prometheus' <c>histogram_quantile</c> does.
/// </summary>
public sealed class StatusCounters : BackgroundService
{
    /// <summary>How far back frames/s and the acknowledgement quantiles look.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>How often a sample of the totals is kept.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);

    private readonly IMeterFactory _meterFactory;
    private readonly TimeProvider _time;
    private readonly MeterListener _listener = new();
    private readonly double[] _ackBounds = [.. DiagnosticBuckets.AckSeconds.HistogramBucketBoundaries!];
    private readonly long[] _ackBuckets;
    private readonly ConcurrentDictionary<string, ListenerTotals> _listeners = new(StringComparer.Ordinal);
    private readonly Queue<Sample> _samples = new();
    private readonly Lock _samplesLock = new();
    private long _frames;

    public StatusCounters(IMeterFactory meterFactory, TimeProvider time)
    {
        _meterFactory = meterFactory;
        _time = time;
        _ackBuckets = new long[_ackBounds.Length + 1];
        _samples.Enqueue(TakeSample());
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this host's meter: tests run several hosts in one process, each with its own meter factory.
            if (instrument.Meter.Name == IngestMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, _meterFactory)
                && WatchOf(instrument.Name) is { } watched)
            {
                listener.EnableMeasurementEvents(instrument, watched);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnCount);
        _listener.SetMeasurementEventCallback<double>(OnDuration);
        _listener.Start();
    }

    /// <summary>Totals per listener name since start: connections opened and refused, logins.</summary>
    public ListenerTotals Listener(string name) => _listeners.GetOrAdd(name, static _ => new ListenerTotals());

    /// <summary>Frames per second and acknowledgement latency over the last <see cref="Window"/>, and the totals now.</summary>
    public LiveRates Rates()
    {
        var now = TakeSample();
        Sample oldest;
        lock (_samplesLock)
        {
            oldest = _samples.Peek();
        }
        double seconds = _time.GetElapsedTime(oldest.Timestamp, now.Timestamp).TotalSeconds;
        var acks = new long[_ackBuckets.Length];
        for (int i = 0; i < acks.Length; i++)
        {
            acks[i] = now.AckBuckets[i] - oldest.AckBuckets[i];
        }
        return new LiveRates(
            FramesTotal: now.Frames,
            FramesPerSecond: seconds > 0 ? (now.Frames - oldest.Frames) / seconds : 0,
            WindowSeconds: seconds,
            Acks: acks.Sum(),
            AckP50Seconds: Quantile(0.5, acks, _ackBounds),
            AckP99Seconds: Quantile(0.99, acks, _ackBounds));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SampleInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var sample = TakeSample();
                lock (_samplesLock)
                {
                    _samples.Enqueue(sample);
                    while (_samples.Count > 1 && _time.GetElapsedTime(_samples.Peek().Timestamp, sample.Timestamp) > Window)
                    {
                        _samples.Dequeue();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    public override void Dispose()
    {
        _listener.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// The <paramref name="q"/>-quantile of the observations counted per bucket (the last bucket is +Inf), linearly
    /// interpolated inside its bucket; an observation beyond the last bound counts as that bound. Null without data.
    /// </summary>
    internal static double? Quantile(double q, ReadOnlySpan<long> counts, ReadOnlySpan<double> bounds)
    {
        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }
        if (total == 0)
        {
            return null;
        }
        double rank = q * total;
        long below = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0 && below + counts[i] >= rank)
            {
                if (i == bounds.Length)
                {
                    return bounds[^1];
                }
                double lower = i == 0 ? 0 : bounds[i - 1];
                return lower + (bounds[i] - lower) * Math.Clamp((rank - below) / counts[i], 0, 1);
            }
            below += counts[i];
        }
        return bounds[^1];
    }

    private Sample TakeSample()
    {
        var buckets = new long[_ackBuckets.Length];
        for (int i = 0; i < buckets.Length; i++)
        {
            buckets[i] = Interlocked.Read(ref _ackBuckets[i]);
        }
        return new Sample(_time.GetTimestamp(), Interlocked.Read(ref _frames), buckets);
    }

    private static WatchedInstrument? WatchOf(string instrument) => instrument switch
    {
        "ingest.frames" => WatchedInstrument.Frames,
        "ingest.logins" => WatchedInstrument.Logins,
        "ingest.connections.opened" => WatchedInstrument.ConnectionsOpened,
        "ingest.connections.refused" => WatchedInstrument.ConnectionsRefused,
        "ingest.ack.latency" => WatchedInstrument.AckLatency,
        _ => null,
    };

    private void OnCount(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        switch (state)
        {
            case WatchedInstrument.Frames:
                Interlocked.Add(ref _frames, value);
                break;
            case WatchedInstrument.Logins:
                Interlocked.Add(ref ListenerOf(tags).Logins, value);
                break;
            case WatchedInstrument.ConnectionsOpened:
                Interlocked.Add(ref ListenerOf(tags).ConnectionsOpened, value);
                break;
            case WatchedInstrument.ConnectionsRefused:
                Interlocked.Add(ref ListenerOf(tags).ConnectionsRefused, value);
                break;
        }
    }

    private void OnDuration(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        // Bucket i holds (bound[i-1], bound[i]], as the exporter's buckets do.
        int index = Array.BinarySearch(_ackBounds, seconds);
        Interlocked.Increment(ref _ackBuckets[index >= 0 ? index : ~index]);
    }

    private ListenerTotals ListenerOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "listener" && tag.Value is string name)
            {
                return Listener(name);
            }
        }
        return Listener("");
    }

    private readonly record struct Sample(long Timestamp, long Frames, long[] AckBuckets);
}

/// <summary>The instruments <see cref="StatusCounters"/> listens to.</summary>
internal enum WatchedInstrument
{
    Frames,
    Logins,
    ConnectionsOpened,
    ConnectionsRefused,
    AckLatency,
}

/// <summary>Running totals of one listener; fields so that they can be added to atomically.</summary>
public sealed class ListenerTotals
{
    public long ConnectionsOpened;
    public long ConnectionsRefused;
    public long Logins;
}

/// <summary>
/// Frames accepted since start (<c>ingest.frames</c>) and per second over <c>WindowSeconds</c> (up to
/// <see cref="StatusCounters.Window"/>, shorter just after start); acknowledging writes in the window
/// (<c>ingest.ack.latency</c> observations) and their quantiles, null without any.
/// </summary>
public readonly record struct LiveRates(long FramesTotal, double FramesPerSecond, double WindowSeconds, long Acks, double? AckP50Seconds, double? AckP99Seconds);
