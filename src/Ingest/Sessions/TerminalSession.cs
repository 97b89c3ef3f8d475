using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using Microsoft.AspNetCore.Connections;

namespace Ingest.Sessions;

/// <summary>
/// The state one terminal connection carries between reads: which vehicle it is bound to, when it was last heard
/// from, and breadcrumbs for logs. Owned by its connection handler; the registry only reads it and may close it.
/// </summary>
public sealed class TerminalSession
{
    private const long NoPartialFrame = long.MinValue;
    private static long s_nextId;
    private long _lastFrameAt;
    private long _partialFrameSince = NoPartialFrame;
    private int _checkRequested;
    private volatile string? _closeReason;

    public TerminalSession(ConnectionContext connection, ListenerRuntime listener, long now)
    {
        Connection = connection;
        Listener = listener;
        Id = Interlocked.Increment(ref s_nextId);
        _lastFrameAt = now;
    }

    /// <summary>Process-unique number, stored with every frame so a row can be traced to its connection.</summary>
    public long Id { get; }

    public ConnectionContext Connection { get; }

    public ListenerRuntime Listener { get; }

    /// <summary>The VIN this connection is bound to, by a login or by its first frame. Null until then.</summary>
    public Vin? BoundVin { get; private set; }

    public string? BoundVinText { get; private set; }

    /// <summary>
    /// The header of the frame that bound the session: its layout, start marker (so the GB/T 32960 edition) and HJ
    /// software version, which frames we send to the terminal repeat. Default until <see cref="BoundVin"/> is set.
    /// </summary>
    public FrameHeader BindingHeader { get; private set; }

    /// <summary>Taken by whoever writes to the connection's output: the loop's acknowledgements, a downlink command (Downlink/).</summary>
    public OutputLock OutputLock { get; } = new();

    public bool LoggedIn { get; private set; }

    public volatile SessionState State;

    public long FramesAccepted;

    /// <summary>Admitted by an open listener while its VIN is not in the registry: its frames carry <c>EnvelopeFlags.Unfiled</c>.
    /// Follows registry changes (set by the admission gate).</summary>
    public volatile bool Unfiled;

    /// <summary>The ICCID of the login that admitted this session (trimmed text); null when not read.</summary>
    public string? Iccid { get; set; }

    /// <summary>Admission refused this connection: the loop sends the refusal it wrote and ends, appending nothing.</summary>
    public bool Refused { get; set; }

    /// <summary>The registry version admission looked at, to see whether a change raced with this login.</summary>
    public long AdmittedAtRegistryVersion { get; set; }

    public long BytesRead;

    /// <summary>Bytes consumed from the stream so far: the base for offsets in malformed-input logs.</summary>
    public long StreamOffset;

    /// <summary>
    /// When this connection last completed a frame that was admitted (or opened, before its first): the idle
    /// timeout runs from here, not from the last byte, so a trickle of bytes that never makes a frame ends.
    /// </summary>
    public long LastFrameAt => Volatile.Read(ref _lastFrameAt);

    public string? CloseReason => _closeReason;

    public void FrameCompleted(long now) => Volatile.Write(ref _lastFrameAt, now);

    /// <summary>Stream offset of the partial frame the loop is waiting on; -1 when none. Read and written by the loop only.</summary>
    public long PartialFrameStart { get; private set; } = -1;

    /// <summary>Since when (timestamp) the partial frame at <see cref="PartialFrameStart"/> has waited; null when none.</summary>
    public long? PartialFrameSince
    {
        get
        {
            long since = Volatile.Read(ref _partialFrameSince);
            return since == NoPartialFrame ? null : since;
        }
    }

    /// <summary>Called by the loop when a read ends inside a frame: starts the clock when the frame is a new one.</summary>
    public void WaitingOnPartialFrame(long streamOffset, long now)
    {
        if (PartialFrameStart != streamOffset)
        {
            PartialFrameStart = streamOffset;
            Volatile.Write(ref _partialFrameSince, now);
        }
    }

    public void NoPartialFrameWaiting()
    {
        PartialFrameStart = -1;
        Volatile.Write(ref _partialFrameSince, NoPartialFrame);
    }

    /// <summary>
    /// Wakes the loop from its pending read (the sweep's way to say "your partial frame is overdue"); the loop then
    /// checks its own state and clock and abandons the frame if it still waits. Repeated calls before the loop
    /// wakes cost nothing.
    /// </summary>
    public void RequestPartialFrameCheck()
    {
        if (Interlocked.Exchange(ref _checkRequested, 1) == 0)
        {
            Connection.Transport.Input.CancelPendingRead();
        }
    }

    /// <summary>Called by the loop after each read returns, so that a later overdue frame can wake it again.</summary>
    public void PartialFrameCheckDone() => Volatile.Write(ref _checkRequested, 0);

    public void Bind(in FrameHeader header, bool login)
    {
        if (BoundVin is null)
        {
            BoundVin = header.Vin;
            BoundVinText = header.Vin.ToString();
            BindingHeader = header;
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
