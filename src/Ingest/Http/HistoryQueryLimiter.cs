using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Ingest.Http;

/// <summary>
/// At most <see cref="HttpOptions.MaxConcurrentHistoryQueries"/> history queries at once. A query beyond it is refused
/// at once instead of waiting: a queue would only move the flood from memory to latency, and a refused client knows
/// to come back (<c>Retry-After</c>). Meter <c>Ingest.Http</c>.
/// </summary>
public sealed class HistoryQueryLimiter : IDisposable
{
    public const string MeterName = "Ingest.Http";

    private readonly SemaphoreSlim _slots;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _frames;
    private int _active;

    public HistoryQueryLimiter(IOptions<HttpOptions> options, IMeterFactory meterFactory)
    {
        Capacity = options.Value.MaxConcurrentHistoryQueries;
        _slots = new SemaphoreSlim(Capacity, Capacity);
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("ingest.http.history.active", () => Volatile.Read(ref _active), "{query}",
            "History queries running now.");
        _refused = meter.CreateCounter<long>("ingest.http.history.refused", "{query}",
            "History queries refused because MaxConcurrentHistoryQueries were running.");
        _frames = meter.CreateCounter<long>("ingest.http.history.frames", "{frame}", "Frames streamed by history queries.");
    }

    public int Capacity { get; }

    public int Active => Volatile.Read(ref _active);

    /// <summary>A slot, or null when every slot is taken (the caller answers 429). Dispose the slot to free it.</summary>
    public Slot? TryEnter()
    {
        if (!_slots.Wait(0))
        {
            _refused.Add(1);
            return null;
        }
        Interlocked.Increment(ref _active);
        return new Slot(this);
    }

    internal void CountFrames(int frames) => _frames.Add(frames);

    public void Dispose() => _slots.Dispose();

    /// <summary>One running history query; freed once.</summary>
    public sealed class Slot(HistoryQueryLimiter owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref owner._active);
                owner._slots.Release();
            }
        }
    }
}
