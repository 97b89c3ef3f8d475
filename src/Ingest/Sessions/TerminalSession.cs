using Ingest.Protocol.Primitives;
using Microsoft.AspNetCore.Connections;

namespace Ingest.Sessions;

/// <summary>
/// The state one terminal connection carries between reads: which vehicle it is bound to, when it was last heard
/// from, and breadcrumbs for logs. Owned by its connection handler; the registry only reads it and may close it.
/// </summary>
public sealed class TerminalSession
{
    private static long s_nextId;
    private long _lastActivity;
    private volatile string? _closeReason;

    public TerminalSession(ConnectionContext connection, ListenerRuntime listener, long now)
    {
        Connection = connection;
        Listener = listener;
        Id = Interlocked.Increment(ref s_nextId);
        _lastActivity = now;
    }

    /// <summary>Process-unique number, stored with every frame so a row can be traced to its connection.</summary>
    public long Id { get; }

    public ConnectionContext Connection { get; }

    public ListenerRuntime Listener { get; }

    /// <summary>The VIN this connection is bound to, by a login or by its first frame. Null until then.</summary>
    public Vin? BoundVin { get; private set; }

    public string? BoundVinText { get; private set; }

    public bool LoggedIn { get; private set; }

    public volatile SessionState State;

    public long FramesAccepted;

    public long BytesRead;

    /// <summary>Bytes consumed from the stream so far: the base for offsets in malformed-input logs.</summary>
    public long StreamOffset;

    public long LastActivity => Volatile.Read(ref _lastActivity);

    public string? CloseReason => _closeReason;

    public void Touch(long now) => Volatile.Write(ref _lastActivity, now);

    public void Bind(Vin vin, bool login)
    {
        if (BoundVin is null)
        {
            BoundVin = vin;
            BoundVinText = vin.ToString();
        }
        LoggedIn |= login;
    }

    /// <summary>Closes the connection from outside its loop (idle sweep, replaced by a newer login, shutdown).</summary>
    public void Close(string reason)
    {
        _closeReason ??= reason;
        Connection.Abort(new ConnectionAbortedException(reason));
    }

    public void MarkClosing(string reason) => _closeReason ??= reason;
}
