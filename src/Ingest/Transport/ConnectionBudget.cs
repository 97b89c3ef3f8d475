namespace Ingest.Transport;

/// <summary>
/// How many connections this process can hold at once, derived from its descriptor limit at start, and the
/// process-wide count of accepted sockets holding a slot (<see cref="BudgetedListenerFactory"/> takes one per
/// accepted socket, on every endpoint, and gives it back once the socket is closed). The listeners together can
/// so never open a socket past the limit: at the limit the kernel answers accept() with EMFILE, which Kestrel's
/// accept loop retries at once (a spin that logged 12,865 "connection reset" lines in 4 s) and which also stops
/// the spool from opening its next segment.
/// </summary>
public sealed class ConnectionBudget
{
    /// <summary>
    /// Descriptors always kept back, however low the limit: the reserve is at least this many. The runtime alone
    /// holds about 240 once the HTTP surface is up (two per loaded assembly; API-key authentication added eight), and
    /// the spool's segments, cursors and storage connections need the rest even under a login flood.
    /// </summary>
    public const int MinimumReserve = 288;

    /// <summary>Share of the limit kept back when that is more than <see cref="MinimumReserve"/>: 5 %.</summary>
    public const double ReserveShare = 0.05;

    /// <summary>HTTP connections (metrics, health, state queries) held at once; part of the reserve.</summary>
    public const int MaxHttpConnections = 64;

    private int _taken;
    private int _fullReported;

    private ConnectionBudget(DescriptorLimit? limit, int reserve, int maxConnections)
    {
        Limit = limit;
        Reserve = reserve;
        MaxConnections = maxConnections;
    }

    /// <summary>The limit it was derived from; null when unknown (then only configuration bounds connections).</summary>
    public DescriptorLimit? Limit { get; }

    /// <summary>
    /// Descriptors kept for everything that is not a terminal connection: the runtime's own, spool segments and the
    /// lock file, consumer cursors, ClickHouse and Redis connections, forwarder links, HTTP, listening sockets, and
    /// the brief moment a connection over the limit is accepted only to be closed.
    /// </summary>
    public int Reserve { get; }

    /// <summary>Terminal connections all listeners together may hold.</summary>
    public int MaxConnections { get; }

    public int Taken => Volatile.Read(ref _taken);

    /// <summary>
    /// The budget for a soft limit: the limit less max(<see cref="MinimumReserve"/>, 5 %), never negative. Pure,
    /// so it is tested with given limits. An unknown limit gives an unbounded budget.
    /// </summary>
    public static ConnectionBudget Derive(DescriptorLimit? limit)
    {
        if (limit is not { } known)
        {
            return new ConnectionBudget(null, 0, int.MaxValue);
        }
        ulong soft = known.Soft;
        int reserve = (int)Math.Min(int.MaxValue, Math.Max(MinimumReserve, (ulong)Math.Ceiling(soft * ReserveShare)));
        ulong available = soft > (ulong)reserve ? soft - (ulong)reserve : 0;
        return new ConnectionBudget(known, reserve, (int)Math.Min(available, int.MaxValue));
    }

    /// <summary>The budget of this process, from its current limit (raised to the hard limit first when allowed).</summary>
    public static ConnectionBudget ForThisProcess() => Derive(DescriptorLimit.ReadAndRaise());

    /// <summary>Takes one process-wide slot; false (and nothing taken) when the budget is spent.</summary>
    public bool TryTake()
    {
        if (Interlocked.Increment(ref _taken) <= MaxConnections)
        {
            return true;
        }
        Interlocked.Decrement(ref _taken);
        return false;
    }

    public void Release()
    {
        Interlocked.Decrement(ref _taken);
        Volatile.Write(ref _fullReported, 0);
    }

    /// <summary>True for the first refusal since a slot was last released: a storm of refusals logs one line.</summary>
    public bool ShouldReportFull() => Interlocked.Exchange(ref _fullReported, 1) == 0;
}
