using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Transport;

namespace Ingest.Sessions;

/// <summary>A configured listener as the sessions see it: its options, derived framing options and live count.</summary>
public sealed class ListenerRuntime
{
    private readonly ConnectionBudget _budget;
    private int _active;
    private int _fullReported;

    public ListenerRuntime(ListenerOptions options, ConnectionBudget budget, AdmissionPolicy admission = AdmissionPolicy.Registered)
    {
        Admission = admission;
        Options = options;
        _budget = budget;
        Name = options.DisplayName;
        Framing = options.ToFramingOptions();
        MaxConnections = Math.Min(options.MaxConnections ?? int.MaxValue, budget.MaxConnections);
    }

    public ListenerOptions Options { get; }

    /// <summary>Who this port lets in: its own setting, else the node's <c>Ingest:Admission</c>.</summary>
    public AdmissionPolicy Admission { get; }

    public string Name { get; }

    public FramingOptions Framing { get; }

    /// <summary>Connections this listener holds at most: its configured value, capped by the process's descriptor budget.</summary>
    public int MaxConnections { get; }

    /// <summary>The process-wide budget every accepted socket takes a slot from.</summary>
    public ConnectionBudget Budget => _budget;

    /// <summary>Kestrel's endpoint for this listener; after start it holds the port actually bound.</summary>
    public Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? Endpoint { get; set; }

    /// <summary>The port actually bound (differs from the configured one when that was 0).</summary>
    public int BoundPort => Endpoint?.IPEndPoint?.Port ?? Options.Port;

    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>
    /// Takes a slot on this listener; false (and nothing taken) when it is full. The process-wide slot was taken
    /// when the socket was accepted (<see cref="BudgetedListenerFactory"/>).
    /// </summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _active) <= MaxConnections)
        {
            return true;
        }
        Interlocked.Decrement(ref _active);
        return false;
    }

    public void Leave()
    {
        Interlocked.Decrement(ref _active);
        Volatile.Write(ref _fullReported, 0);
    }

    /// <summary>
    /// True for the first refusal since a connection last closed: a storm of refused connects logs one line, not one
    /// each (each is still counted).
    /// </summary>
    public bool ShouldReportFull() => Interlocked.Exchange(ref _fullReported, 1) == 0;
}
