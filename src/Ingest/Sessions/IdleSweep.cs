using Ingest.Diagnostics;
using Ingest.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ingest.Sessions;

/// <summary>
/// One periodic sweep over all sessions closes those that completed no frame within their listener's idle timeout
/// and wakes those whose partial frame is overdue: a single timer for 100,000 connections instead of one each
/// (Kestrel's heartbeat idea).
/// </summary>
public sealed class IdleSweep : BackgroundService
{
    private readonly SessionRegistry _registry;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<IdleSweep> _logger;

    public IdleSweep(SessionRegistry registry, TimeProvider time, IOptions<IngestOptions> options, ILogger<IdleSweep> logger)
    {
        _registry = registry;
        _time = time;
        _interval = options.Value.IdleSweepInterval;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                SweepOnce();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host is stopping.
        }
    }

    /// <summary>
    /// Closes every session that completed no frame within its idle timeout, and wakes every session whose partial
    /// frame has waited past its partial-frame timeout (the session itself then abandons it). Returns how many closed.
    /// </summary>
    public int SweepOnce()
    {
        long now = _time.GetTimestamp();
        int closed = 0;
        foreach (var session in _registry.Sessions)
        {
            if (session.CloseReason is not null)
            {
                continue;
            }
            var options = session.Listener.Options;
            var idle = _time.GetElapsedTime(session.LastFrameAt, now);
            if (idle > options.IdleTimeout)
            {
                SessionLog.IdleTimeout(_logger, session.Connection.ConnectionId, session.BoundVinText, idle);
                session.Close(CloseReasons.Idle);
                closed++;
            }
            else if (session.PartialFrameSince is { } since && _time.GetElapsedTime(since, now) > options.PartialFrameTimeout)
            {
                session.RequestPartialFrameCheck();
            }
        }
        return closed;
    }
}

/// <summary>Why a connection ended: a closed set, used as a metric tag.</summary>
public static class CloseReasons
{
    public const string RemoteClosed = "remote_closed";
    public const string Idle = "idle";
    public const string Replaced = "replaced";
    public const string Logout = "logout";
    public const string Shutdown = "shutdown";
    public const string Error = "error";
    /// <summary>Admission refused the login (unknown VIN, ICCID mismatch, rate limit).</summary>
    public const string Refused = "refused";
    /// <summary>The vehicle was removed from the registry (or its filing no longer admits the session) while connected.</summary>
    public const string Unfiled = "unfiled";
    /// <summary>Closed at accept for a connect rate limit.</summary>
    public const string RateLimited = "rate_limited";
}
