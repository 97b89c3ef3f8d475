using System.Buffers;
using Ingest.Diagnostics;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Primitives;
using Ingest.Registry;
using Ingest.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Ingest.Sessions;

/// <summary>The gate's answer for the frame that would bind a connection to a VIN.</summary>
public enum AdmissionVerdict : byte
{
    Admitted,
    /// <summary>An open listener let in a VIN that is not in the registry.</summary>
    AdmittedUnfiled,
    Refused,
}

/// <summary>
/// Decides who may speak for a VIN: the listener's <see cref="AdmissionPolicy"/> over the vehicle registry, the
/// connect and login rate limits, and what a registry change means for sessions already connected. Asked once per
/// connection (at the login, or the first frame where frames before login are allowed), never per frame, so the VIN's
/// text and the registry lookup cost nothing on the hot path.
/// </summary>
public sealed class AdmissionGate : IDisposable
{
    /// <summary>Offset of the ICCID in a login's data unit, the same in GB/T 32960 and HJ 1239: time(6) + serial WORD.</summary>
    private const int IccidOffset = 8;
    private const int IccidLength = 20;
    private const byte PlainEncryption = 0x01;

    private readonly IVehicleRegistry _registry;
    private readonly SessionRegistry _sessions;
    private readonly RateLimiter _rates;
    private readonly AdmissionMetrics _metrics;
    private readonly ILogger<AdmissionGate> _logger;
    private readonly LogBudget _refusalLog;
    private readonly LogBudget _takeoverLog;
    private readonly LogBudget _rateLog;

    public AdmissionGate(IVehicleRegistry registry, SessionRegistry sessions, RateLimiter rates, AdmissionMetrics metrics, TimeProvider time,
        ILogger<AdmissionGate> logger)
    {
        _registry = registry;
        _sessions = sessions;
        _rates = rates;
        _metrics = metrics;
        _logger = logger;
        // Twenty lines a minute per kind: a flood of any size and length writes at most 28,800 lines (about 7 MB) a
        // day per kind, each saying how many refusals it stands for; the counters see every one.
        _refusalLog = new LogBudget(20, TimeSpan.FromMinutes(1), time);
        _takeoverLog = new LogBudget(20, TimeSpan.FromMinutes(1), time);
        _rateLog = new LogBudget(20, TimeSpan.FromMinutes(1), time);
        _registry.Changed += OnRegistryChanged;
    }

    public IVehicleRegistry Registry => _registry;

    /// <summary>Says at start who each listener admits.</summary>
    public void ReportListener(ListenerRuntime listener)
    {
        SessionLog.ListenerAdmission(_logger, listener.Name, listener.Admission, _registry.Count);
        if (listener.Admission == AdmissionPolicy.Open)
        {
            SessionLog.ListenerOpen(_logger, listener.Name);
        }
        else if (_registry.Count == 0)
        {
            SessionLog.RegistryEmpty(_logger, listener.Name, listener.Admission);
        }
    }

    /// <summary>The connect rate limit; false means close the connection at once (it is counted and, within budget, logged).</summary>
    public bool TryConnect(ListenerRuntime listener, ConnectionContext connection)
    {
        var scope = _rates.TryConnect(connection.RemoteEndPoint);
        if (scope == RateLimitScope.None)
        {
            return true;
        }
        _metrics.RateLimited(listener.Name, "connect", scope);
        if (_rateLog.TryWrite(out long suppressed))
        {
            SessionLog.RateLimited(_logger, listener.Name, "connect", connection.RemoteEndPoint, scope, suppressed);
        }
        return false;
    }

    /// <summary>
    /// Decides whether <paramref name="frame"/> (a login, or a first frame where the listener allows frames before
    /// login) may bind <paramref name="session"/> to its VIN. A refusal is counted and logged (within budget) here;
    /// the caller answers and closes.
    /// </summary>
    public AdmissionVerdict Decide(TerminalSession session, in FrameHeader header, in ReadOnlySequence<byte> frame, out string reason)
    {
        var listener = session.Listener;
        var remote = session.Connection.RemoteEndPoint;
        var scope = _rates.TryLogin(remote);
        if (scope != RateLimitScope.None)
        {
            _metrics.RateLimited(listener.Name, "login", scope);
            if (_rateLog.TryWrite(out long suppressed))
            {
                SessionLog.RateLimited(_logger, listener.Name, "login", remote, scope, suppressed);
            }
            reason = "rate_limited";
            return Refuse(session, header, reason);
        }
        session.AdmittedAtRegistryVersion = _registry.Version;
        string vin = header.Vin.ToString();
        bool filed = _registry.TryGet(vin, out var filing);
        if (listener.Admission == AdmissionPolicy.Open)
        {
            reason = "";
            if (!filed)
            {
                _metrics.Unfiled(listener.Name);
                return AdmissionVerdict.AdmittedUnfiled;
            }
            return AdmissionVerdict.Admitted;
        }
        if (!filed)
        {
            reason = "unknown_vin";
            return Refuse(session, header, reason);
        }
        if (listener.Admission == AdmissionPolicy.RegisteredIccid)
        {
            bool isLogin = header.Command == 0x01 && header.IsCommand;
            if (!isLogin)
            {
                reason = "login_required"; // only a login carries the ICCID to check
                return Refuse(session, header, reason);
            }
            if (ReadIccid(header, frame) is not { } iccid)
            {
                reason = "iccid_unreadable";
                return Refuse(session, header, reason);
            }
            if (!IccidMatches(filing!, iccid))
            {
                reason = "iccid_mismatch";
                return Refuse(session, header, reason);
            }
            session.Iccid = iccid;
        }
        reason = "";
        return AdmissionVerdict.Admitted;
    }

    /// <summary>
    /// Called after the session claimed its VIN: a registry change that landed between <see cref="Decide"/> and the
    /// claim found no session to close, so look again now.
    /// </summary>
    public void Claimed(TerminalSession session)
    {
        if (_registry.Version != session.AdmittedAtRegistryVersion && session.BoundVinText is { } vin)
        {
            Apply(session, vin);
        }
    }

    private AdmissionVerdict Refuse(TerminalSession session, in FrameHeader header, string reason)
    {
        var listener = session.Listener;
        _metrics.Refused(listener.Name, reason);
        var connection = session.Connection;
        if (_sessions.TryGetByVin(header.Vin, out var online) && online is not null && !ReferenceEquals(online, session))
        {
            _metrics.TakeoverRefused(listener.Name, reason);
            if (_takeoverLog.TryWrite(out long skipped))
            {
                SessionLog.TakeoverRefused(_logger, header.Vin.ToString(), connection.RemoteEndPoint, reason,
                    online.Connection.RemoteEndPoint, online.Connection.ConnectionId, skipped);
            }
        }
        else if (_refusalLog.TryWrite(out long suppressed))
        {
            SessionLog.AdmissionRefused(_logger, listener.Name, listener.Admission, header.Vin.ToString(), connection.RemoteEndPoint,
                connection.ConnectionId, reason, suppressed);
        }
        return AdmissionVerdict.Refused;
    }

    /// <summary>The login's ICCID as trimmed text; null when the frame is too short or its data unit is encrypted.</summary>
    internal static string? ReadIccid(in FrameHeader header, in ReadOnlySequence<byte> frame)
    {
        if (header.Encryption != PlainEncryption || header.DataLength < IccidOffset + IccidLength)
        {
            return null;
        }
        Span<byte> iccid = stackalloc byte[IccidLength];
        frame.Slice(FrameHeader.Size + IccidOffset, IccidLength).CopyTo(iccid);
        int end = iccid.IndexOfAnyExcept((byte)0, (byte)' ') < 0 ? 0 : iccid.LastIndexOfAnyExcept((byte)0, (byte)' ') + 1;
        if (end == 0 || iccid[..end].ContainsAnyExceptInRange((byte)0x21, (byte)0x7E))
        {
            return null;
        }
        return System.Text.Encoding.ASCII.GetString(iccid[..end]);
    }

    private static bool IccidMatches(VehicleFiling filing, string iccid) =>
        filing.Iccid is { Length: > 0 } filed && string.Equals(filed.Trim(), iccid, StringComparison.OrdinalIgnoreCase);

    private void OnRegistryChanged(IReadOnlyCollection<string> vins)
    {
        foreach (var text in vins)
        {
            Vin vin;
            try
            {
                vin = Vin.Parse(text);
            }
            catch (FormatException)
            {
                continue; // a filing whose VIN no terminal could send has no session
            }
            if (_sessions.TryGetByVin(vin, out var session) && session is not null)
            {
                Apply(session, text);
            }
        }
    }

    /// <summary>Applies the registry as it is now to a connected session: unfiled marking, or closing it.</summary>
    private void Apply(TerminalSession session, string vin)
    {
        var listener = session.Listener;
        bool filed = _registry.TryGet(vin, out var filing);
        if (listener.Admission == AdmissionPolicy.Open)
        {
            session.Unfiled = !filed;
            return;
        }
        string? reason = !filed ? "removed from the registry"
            : listener.Admission == AdmissionPolicy.RegisteredIccid && (session.Iccid is null || !IccidMatches(filing!, session.Iccid))
                ? "filed ICCID changed"
                : null;
        if (reason is not null)
        {
            SessionLog.FilingWithdrawn(_logger, vin, session.Connection.ConnectionId, session.Connection.RemoteEndPoint, listener.Name,
                listener.Admission, reason);
            session.Close(CloseReasons.Unfiled);
        }
    }

    public void Dispose() => _registry.Changed -= OnRegistryChanged;
}
