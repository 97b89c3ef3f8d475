using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Ingest.Transport;

/// <summary>
/// Caps the HTTP endpoint's open connections (<see cref="ConnectionBudget.MaxHttpConnections"/>) so that scrapers
/// and queries stay inside the descriptors the budget reserved for them. One over the cap is closed at once.
/// </summary>
public static class HttpConnectionLimit
{
    public static void Apply(ListenOptions listen, int maxConnections)
    {
        int open = 0;
        listen.Use(next => async connection =>
        {
            if (Interlocked.Increment(ref open) > maxConnections)
            {
                Interlocked.Decrement(ref open);
                connection.Abort(new ConnectionAbortedException("too many HTTP connections"));
                return;
            }
            try
            {
                await next(connection);
            }
            finally
            {
                Interlocked.Decrement(ref open);
            }
        });
    }
}
