using System.Net;
using Ingest.Diagnostics;
using Ingest.Sessions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Ingest.Transport;

/// <summary>
/// Wraps Kestrel's socket transport so that every accepted socket holds a <see cref="ConnectionBudget"/> slot from
/// accept until its descriptor is closed, and a socket accepted past the budget is closed right there, before the
/// next accept. Refusing later, in the connection handler, is not enough: the accept loop runs ahead of the
/// handlers, so a burst of connections over the limit would each hold a descriptor at once and reach EMFILE, which
/// Kestrel's accept loop retries without pause. Only terminal ports are budgeted; the HTTP port has its own small
/// cap (<see cref="HttpConnectionLimit"/>) inside the reserve, so health checks and scrapes still work when every
/// terminal slot is taken.
/// </summary>
/// <param name="inner">Kestrel's socket transport.</param>
/// <param name="budget">The process-wide connection budget.</param>
/// <param name="terminals">The terminal listeners, resolved at the first bind (not when Kestrel is built, so that
/// invalid options are reported by the start-up validation).</param>
/// <param name="metrics">Counts refused connections.</param>
/// <param name="logger">Says once per storm that the budget is spent.</param>
public sealed class BudgetedListenerFactory(IConnectionListenerFactory inner, ConnectionBudget budget, Func<IReadOnlyList<ListenerRuntime>> terminals,
    IngestMetrics metrics, ILogger<BudgetedListenerFactory> logger) : IConnectionListenerFactory
{
    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new Listener(await inner.BindAsync(endpoint, cancellationToken), budget, terminals(), metrics, logger);

    private sealed class Listener(IConnectionListener inner, ConnectionBudget budget, IReadOnlyList<ListenerRuntime> terminals,
        IngestMetrics metrics, ILogger logger) : IConnectionListener
    {
        private bool? _budgeted;

        public EndPoint EndPoint => inner.EndPoint;

        /// <summary>A terminal port, known by its bound address (Kestrel fills in the port after binding).</summary>
        private bool Budgeted => _budgeted ??= terminals.Any(t => Equals(t.Endpoint?.IPEndPoint, EndPoint));

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                var connection = await inner.AcceptAsync(cancellationToken);
                if (connection is null)
                {
                    return null;
                }
                if (!Budgeted)
                {
                    return connection;
                }
                if (budget.TryTake())
                {
                    // The transport signals ConnectionClosed after it has disposed the socket: the descriptor is free.
                    connection.ConnectionClosed.Register(static state => ((ConnectionBudget)state!).Release(), budget);
                    return connection;
                }
                string listener = EndPoint.ToString() ?? "?";
                metrics.ConnectionRefused(listener);
                if (budget.ShouldReportFull())
                {
                    SessionLog.DescriptorBudgetFull(logger, budget.MaxConnections, listener, connection.RemoteEndPoint);
                }
                connection.Abort(new ConnectionAbortedException("descriptor budget spent"));
                await connection.DisposeAsync();
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => inner.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
