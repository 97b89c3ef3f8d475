using System.Collections.Concurrent;
using Ingest.Protocol.Primitives;

namespace Ingest.Sessions;

/// <summary>
/// Every open session, and which one currently speaks for each VIN. A second login of the same VIN replaces the
/// older connection, so a terminal that reconnected before its old socket timed out is not shadowed by it.
/// </summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<long, TerminalSession> _sessions = new();
    private readonly ConcurrentDictionary<Vin, TerminalSession> _byVin = new();

    public int Count => _sessions.Count;

    public ICollection<TerminalSession> Sessions => _sessions.Values;

    public void Add(TerminalSession session) => _sessions[session.Id] = session;

    public void Remove(TerminalSession session)
    {
        _sessions.TryRemove(session.Id, out _);
        if (session.BoundVin is { } vin)
        {
            // Only remove the VIN entry if it still points at this session: a newer login may own it already.
            _byVin.TryRemove(new KeyValuePair<Vin, TerminalSession>(vin, session));
        }
    }

    /// <summary>Makes <paramref name="session"/> the one for <paramref name="vin"/>; returns the session it replaced, if any.</summary>
    public TerminalSession? Claim(Vin vin, TerminalSession session)
    {
        TerminalSession? previous = null;
        _byVin.AddOrUpdate(vin, session, (_, existing) =>
        {
            previous = ReferenceEquals(existing, session) ? null : existing;
            return session;
        });
        return previous;
    }

    public bool TryGetByVin(Vin vin, out TerminalSession? session) => _byVin.TryGetValue(vin, out session);

    public bool IsOnline(Vin vin) => _byVin.ContainsKey(vin);
}
