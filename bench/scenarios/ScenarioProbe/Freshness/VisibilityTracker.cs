using System.Diagnostics;
using ScenarioProbe.Cli;

namespace ScenarioProbe.Freshness;

/// <summary>
/// Pairs the moment row k was acknowledged (or inserted) with the answer of the first count query that showed at
/// least k rows. The answer time is an upper bound of when the row became visible: the figure is conservative by
/// at most one poll interval plus one query.
/// </summary>
public sealed class VisibilityTracker
{
    private readonly List<long> _acked = [];
    private readonly List<long> _visible = [];
    private readonly List<double> _queryMs = [];
    private long _seen;

    /// <summary>Rows that were in the table before the probe's first tracked row (a login frame, say).</summary>
    public long Offset { get; init; }

    public int Acknowledged { get { lock (_acked) { return _acked.Count; } } }

    public void Acked(long timestamp)
    {
        lock (_acked)
        {
            _acked.Add(timestamp);
        }
    }

    public void Observed(long count, long sentTimestamp, long answeredTimestamp)
    {
        lock (_acked)
        {
            _queryMs.Add(Stopwatch.GetElapsedTime(sentTimestamp, answeredTimestamp).TotalMilliseconds);
            long rows = count - Offset;
            while (_seen < rows && _seen < _acked.Count)
            {
                _visible.Add(answeredTimestamp);
                _seen++;
            }
        }
    }

    public bool AllVisible { get { lock (_acked) { return _seen >= _acked.Count; } } }

    public FreshnessResult Result(string what, TimeSpan interval, TimeSpan poll)
    {
        lock (_acked)
        {
            var freshness = new List<double>();
            int early = 0;
            for (int i = 0; i < _visible.Count; i++)
            {
                double ms = (_visible[i] - _acked[i]) * 1000.0 / Stopwatch.Frequency;
                if (ms < 0)
                {
                    early++;
                    ms = 0;
                }
                freshness.Add(ms);
            }
            return new FreshnessResult(what, interval.TotalMilliseconds, poll.TotalMilliseconds, _acked.Count, _visible.Count,
                _acked.Count - _visible.Count, early, PercentileSummary.Of(freshness), PercentileSummary.Of(_queryMs));
        }
    }
}

/// <summary>Freshness in milliseconds: acknowledgement (or insert) to the first query answer that showed the row.</summary>
public sealed record FreshnessResult(
    string Measured,
    double IntervalMs,
    double PollMs,
    int RowsTracked,
    int RowsVisible,
    int RowsNeverVisible,
    int RowsVisibleBeforeAck,
    PercentileSummary FreshnessMs,
    PercentileSummary QueryMs);
