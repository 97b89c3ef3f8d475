using Ingest.Hosting;
using Ingest.Protocol.Framing;

namespace Ingest.Sessions;

/// <summary>A configured listener as the sessions see it: its options, derived framing options and live count.</summary>
public sealed class ListenerRuntime
{
    private int _active;

    public ListenerRuntime(ListenerOptions options)
    {
        Options = options;
        Name = options.DisplayName;
        Framing = options.ToFramingOptions();
    }

    public ListenerOptions Options { get; }

    public string Name { get; }

    public FramingOptions Framing { get; }

    /// <summary>Kestrel's endpoint for this listener; after start it holds the port actually bound.</summary>
    public Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions? Endpoint { get; set; }

    /// <summary>The port actually bound (differs from the configured one when that was 0).</summary>
    public int BoundPort => Endpoint?.IPEndPoint?.Port ?? Options.Port;

    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>Takes a connection slot; false (and nothing taken) when the listener is full.</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _active) <= Options.MaxConnections)
        {
            return true;
        }
        Interlocked.Decrement(ref _active);
        return false;
    }

    public void Leave() => Interlocked.Decrement(ref _active);
}
