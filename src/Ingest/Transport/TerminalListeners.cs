using System.Net;
using Ingest.Diagnostics;
using Ingest.Hosting;
using Ingest.Sessions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ingest.Transport;

/// <summary>
/// Puts the terminal ports on Kestrel's socket transport: Kestrel owns accepting, socket I/O, pipe back-pressure
/// and shutdown; each port runs <see cref="TerminalConnectionHandler"/> with that port's own settings.
/// </summary>
/// <remarks>
/// Kestrel's accept loop treats every failed accept() as a connection reset and retries at once, so it would spin
/// on EMFILE. It never gets there: the <see cref="ConnectionBudget"/> closes connections over the limit straight
/// after accepting them, while a reserve of descriptors is still free.
/// </remarks>
public static class TerminalListeners
{
    public static void Configure(KestrelServerOptions kestrel, IServiceProvider services, IEnumerable<ListenerRuntime> listeners)
    {
        // Nothing is resolved or logged here: Kestrel reads these options while the host is built, before the start-up
        // checks. The handler (and the spool behind it) is created, and each port reported, when Kestrel binds it.
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TerminalListeners));
        int budgetReported = 0;
        foreach (var listener in listeners)
        {
            var endpoint = new IPEndPoint(IPAddress.Parse(listener.Options.Address), listener.Options.Port);
            kestrel.Listen(endpoint, listenOptions =>
            {
                listener.Endpoint = listenOptions;
                listenOptions.Use(_ =>
                {
                    if (Interlocked.Exchange(ref budgetReported, 1) == 0)
                    {
                        ReportBudget(logger, services.GetRequiredService<ConnectionBudget>());
                    }
                    var handler = services.GetRequiredService<TerminalConnectionHandler>();
                    SessionLog.ListenerStarted(logger, listener.Name, endpoint.ToString(), listener.Options.Protocol.ToString(),
                        listener.MaxConnections, listener.Options.IdleTimeout, listener.Options.PartialFrameTimeout);
                    handler.Admission.ReportListener(listener);
                    return connection => handler.HandleAsync(connection, listener);
                });
            });
        }
    }

    private static void ReportBudget(ILogger logger, ConnectionBudget budget)
    {
        if (budget.Limit is { } limit)
        {
            SessionLog.ConnectionBudget(logger, limit.Soft, limit.Hard, budget.Reserve, budget.MaxConnections);
        }
        else
        {
            SessionLog.ConnectionBudgetUnknown(logger);
        }
    }
}
