using Ingest.Hosting;
using Microsoft.Extensions.Options;

namespace Ingest.Transport;

/// <summary>
/// Refuses to start when the listeners' configured MaxConnections add up to more than the descriptor limit allows:
/// such a setting would only be found out at the limit, by EMFILE. Unset MaxConnections is never refused; it means
/// "what the descriptors allow".
/// </summary>
public sealed class ConnectionBudgetValidator(ConnectionBudget budget) : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        var configured = options.Listeners.Where(l => l.MaxConnections is not null).ToList();
        long total = configured.Sum(l => (long)l.MaxConnections!.Value);
        if (budget.Limit is not { } limit || configured.Count == 0 || total <= budget.MaxConnections)
        {
            return ValidateOptionsResult.Success;
        }
        return ValidateOptionsResult.Fail(
            $"Ingest:Listeners:N:MaxConnections adds up to {total} connections, but this process may open {limit.Soft} file descriptors " +
            $"(ulimit -n, hard limit {limit.Hard}) and keeps {budget.Reserve} of them for the spool, ClickHouse, Redis, forwarder links and HTTP: " +
            $"at most {budget.MaxConnections} connections. Lower MaxConnections, leave it unset, or raise the limit (ulimit -n, systemd LimitNOFILE).");
    }
}
