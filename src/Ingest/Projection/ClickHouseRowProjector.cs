using System.Text;
using Ingest.Hosting;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.Bodies;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;
using Ingest.Records;
using Ingest.Signatures;
using Ingest.Sinks.ClickHouse;
using Ingest.Sinks.ClickHouse.RowBinary;
using Ingest.Sinks.ClickHouse.Rows;
using Ingest.Spool;
using Microsoft.Extensions.Options;

namespace Ingest.Projection;

/// <summary>
/// Spool records to ClickHouse rows, written as RowBinary straight from the frame bytes: every frame to
/// <c>frames_raw</c>; GB/T 32960 realtime and reissue to one <c>vehicle_samples</c> row; HJ 1239 / GB 17691 items to
/// one <c>emission_samples</c> row each; logins and logouts to <c>sessions</c>. Every value comes from the record,
/// never from the clock (see the interface).
/// </summary>
/// <remarks>
/// One pass per record with the protocol walkers, no decoded frame, no row objects, identifiers kept as bytes: a
/// realtime record costs a few hundred nanoseconds and allocates nothing (the sink's hot path; see
/// bench/RESULTS.md). What it writes is byte for byte what a full decode into the row structs of
/// <c>Sinks/ClickHouse/Rows</c> writes, which keep each table's column list (and so <c>schema.sql</c>); the
/// equivalence tests hold the two together over the shared vectors and generated frames. A frame counts as decoded
/// exactly when the decoders would accept it (<see cref="RealtimeReport.Check"/>, the walkers' completion, the body
/// lengths), so a frame the decoder rejects is still stored in <c>frames_raw</c> only.
/// </remarks>
public sealed class ClickHouseRowProjector : IClickHouseRowProjector
{
    private readonly byte[] _node;
    private readonly Dictionary<int, byte[]> _listenerByPort;
    private readonly HjUserItemLayouts _userItems;
    private readonly SignatureVerifier? _signatures;
    private readonly SignatureMetrics? _signatureMetrics;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> _listenerNames = new();

    /// <param name="options">Node name and listeners.</param>
    /// <param name="signatures">Judges the signatures a Flag listener left to the sink; without it they are stored not_checked.</param>
    /// <param name="signatureMetrics">Counts those verdicts.</param>
    public ClickHouseRowProjector(IOptions<IngestOptions> options, SignatureVerifier? signatures = null, SignatureMetrics? signatureMetrics = null)
    {
        _signatures = signatures;
        _signatureMetrics = signatureMetrics;
        _node = Encoding.UTF8.GetBytes(options.Value.NodeName);
        _listenerByPort = options.Value.Listeners.Where(l => l.Port != 0).GroupBy(l => l.Port)
            .ToDictionary(g => g.Key, g => Encoding.UTF8.GetBytes(g.First().DisplayName));
        _userItems = new HjUserItemLayouts(options.Value.Listeners);
    }

    /// <summary>Appends the rows of one record to the tables it touches (public for tools that project single records).</summary>
    public void Project(in SpoolRecord record, ClickHouseRowBuffers rows)
    {
        if (!FrameEnvelope.TryRead(record.Payload, out var envelope))
        {
            // Not an ingest envelope (a newer version, say): kept whole, keyed on the epoch.
            var key = new RowKey(_node, record.Offset, default, DateTimeOffset.UnixEpoch, StoredProtocol.Unknown, default);
            WriteFrameRaw(rows.FramesRaw, key, default, default, null, record.Payload.Span, SignatureVerdict.NotChecked);
            return;
        }
        var frame = envelope.Frame.Span;
        var listener = _listenerByPort.GetValueOrDefault(envelope.ListenerPort);
        if (!WholeFrame.TryValidate(frame, FrameBodies.AnyFrame, out var header, out _))
        {
            var key = new RowKey(_node, record.Offset, default, envelope.ReceivedAt, StoredProtocol.Unknown, listener, Admitted(envelope));
            WriteFrameRaw(rows.FramesRaw, key, default, default, null, frame, SignatureVerdict.NotChecked);
            return;
        }
        Span<byte> vinText = stackalloc byte[RowText.IdentifierBytes];
        var vin = RowText.Identifier(frame.Slice(header.Layout == HeaderLayout.Gb32960 ? 4 : 3, Vin.Length), vinText);
        var data = frame.Slice(FrameHeader.Size, header.DataLength);
        var userItems = _userItems.For(envelope.ListenerPort);
        var protocol = header.Layout == HeaderLayout.Gb32960 ? StoredProtocol.Gb32960 : StoredProtocol.Hj1239;
        var rowKey = new RowKey(_node, record.Offset, vin, envelope.ReceivedAt, protocol, listener, Admitted(envelope));
        var signature = EnvelopeSignatures.Of(envelope.Flags);
        if (signature == EnvelopeSignature.Rejected)
        {
            // Refused by a Reject listener and never acknowledged: kept for audit only, in no data table.
            bool signed = SignedFrame.Locate(frame, header, envelope.Protocol, userItems, out _) == SignedFrameKind.Sm2;
            WriteQuarantine(rows.Quarantine, rowKey, header, signed ? SignatureVerdict.Invalid : SignatureVerdict.Missing, frame);
            return;
        }
        var verdict = Judge(signature, envelope, frame, header, userItems);
        if (header.Layout == HeaderLayout.Gb32960)
        {
            ProjectGb(rows, rowKey, header, data, frame, verdict);
        }
        else
        {
            ProjectHj(rows, rowKey, header, data, frame, envelope.Protocol, userItems, verdict);
        }
    }

    /// <summary>
    /// The stored verdict: what a Reject session already found, or, for a Flag listener, the check done here, after
    /// the acknowledgement. A re-projected batch (after a failed insert) is judged again against the registry as it is then.
    /// </summary>
    private SignatureVerdict Judge(EnvelopeSignature signature, in FrameEnvelope envelope, ReadOnlySpan<byte> frame, in FrameHeader header,
        Hj1239UserItemLayout userItems)
    {
        switch (signature)
        {
            case EnvelopeSignature.Valid:
                return SignatureVerdict.Valid;
            case EnvelopeSignature.Deferred when _signatures is not null:
                var verdict = _signatures.Verify(frame, header, envelope.Protocol, userItems);
                _signatureMetrics?.Checked(ListenerName(envelope.ListenerPort), verdict);
                return verdict;
            default:
                return SignatureVerdict.NotChecked;
        }
    }

    private string ListenerName(int port) => _listenerNames.GetOrAdd(port, static (p, byPort) =>
        byPort.TryGetValue(p, out var name) ? Encoding.UTF8.GetString(name) : "port:" + p.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _listenerByPort);

    private static void ProjectGb(ClickHouseRowBuffers rows, in RowKey key, in FrameHeader header, ReadOnlySpan<byte> data, ReadOnlySpan<byte> frame,
        SignatureVerdict signature)
    {
        var edition = Gb32960Editions.FromMarker(header.Marker);
        var body = FrameBodies.ClassifyGb(header, edition, data);
        var deviceTime = body == FrameBodies.GbBody.None ? null : StoredTime.Of(GbTime.Read(data));
        Span<byte> iccid = stackalloc byte[VehicleLogin.IccidLength];
        WriteFrameRaw(rows.FramesRaw, key, header, (ushort)edition, deviceTime, frame, signature);
        switch (body)
        {
            // A sample is keyed by its own time: without a valid one it stays in frames_raw only.
            case FrameBodies.GbBody.Realtime when deviceTime is { } time:
                VehicleSampleRows.Write(rows.VehicleSamples, key, data, edition, header.Command == Gb32960Command.ReissueReport, time);
                break;
            case FrameBodies.GbBody.Login:
                WriteSession(rows.Sessions, key, SessionEvent.VehicleLogin, deviceTime, Word(data, GbTime.Size),
                    RowText.AsciiDecoded(data.Slice(GbTime.Size + 2, VehicleLogin.IccidLength), iccid));
                break;
            case FrameBodies.GbBody.Logout:
                WriteSession(rows.Sessions, key, SessionEvent.VehicleLogout, deviceTime, Word(data, GbTime.Size), default);
                break;
        }
    }

    private static void ProjectHj(ClickHouseRowBuffers rows, in RowKey key, in FrameHeader header, ReadOnlySpan<byte> data,
        ReadOnlySpan<byte> frame, ListenerProtocol listenerProtocol, Hj1239UserItemLayout userItems, SignatureVerdict signature)
    {
        // Realtime and reissue units are walked once: their rows are written during the walk that also decides whether
        // the unit is well formed (FrameBodies.ClassifyHj would walk it a second time).
        var body = IsHjData(header, data)
            ? WriteHjData(rows, key, data, listenerProtocol, userItems, header.Command == Hj1239Command.Reissue)
            : FrameBodies.ClassifyHj(header, data, listenerProtocol, userItems, out _);
        DateTimeOffset? deviceTime = body == FrameBodies.HjBody.None ? null : StoredTime.Of(GbTime.Read(data));
        Span<byte> iccid = stackalloc byte[Hj1239LoginBody.IccidLength];
        WriteFrameRaw(rows.FramesRaw, key, header, 0, deviceTime, frame, signature);
        switch (body)
        {
            case FrameBodies.HjBody.Login:
                WriteSession(rows.Sessions, key, SessionEvent.VehicleLogin, deviceTime, Word(data, GbTime.Size),
                    RowText.TrimmedAscii(data.Slice(GbTime.Size + 2, Hj1239LoginBody.IccidLength), iccid));
                break;
            case FrameBodies.HjBody.Logout:
                WriteSession(rows.Sessions, key, SessionEvent.VehicleLogout, deviceTime, Word(data, GbTime.Size), default);
                break;
        }
    }

    /// <summary>A realtime or reissue unit in clear text: the ones with emission rows (as <see cref="FrameBodies.ClassifyHj"/> decides).</summary>
    private static bool IsHjData(in FrameHeader header, ReadOnlySpan<byte> data) =>
        header.Command is Hj1239Command.Realtime or Hj1239Command.Reissue
        && !(header.Encryption is >= Gb32960Encryption.Rsa and <= Gb32960Encryption.Sm4 && !data.IsEmpty);

    /// <summary>
    /// The listener's layout first; when it does not fit, the layout detected from the bytes, as the decoder does.
    /// </summary>
    private static FrameBodies.HjBody WriteHjData(ClickHouseRowBuffers rows, in RowKey key, ReadOnlySpan<byte> data,
        ListenerProtocol listenerProtocol, Hj1239UserItemLayout userItems, bool isReissue)
    {
        var configured = listenerProtocol switch
        {
            ListenerProtocol.Gb17691 => Hj1239Layout.AnnexQ,
            ListenerProtocol.Hj1239 => Hj1239Layout.Hj1239,
            _ => Hj1239Layout.Auto,
        };
        bool written = EmissionSampleRows.TryWrite(rows.EmissionSamples, key, data, configured, userItems, isReissue, out _)
            || configured != Hj1239Layout.Auto && EmissionSampleRows.TryWrite(rows.EmissionSamples, key, data, Hj1239Layout.Auto, userItems, isReissue, out _);
        return written ? FrameBodies.HjBody.Data : FrameBodies.HjBody.None;
    }

    /// <summary>Columns of <see cref="FrameRawRow.Table"/>, in order.</summary>
    private static void WriteFrameRaw(RowBuffer<FrameRawRow> table, in RowKey key, in FrameHeader header, ushort edition,
        DateTimeOffset? deviceTime, ReadOnlySpan<byte> frameBytes, SignatureVerdict signature)
    {
        var w = table.BeginRow();
        w.WriteBytes(key.Node);
        w.WriteUInt64((ulong)key.Offset);
        w.WriteDateTime(key.ReceivedAt);
        w.WriteBytes(key.Vin);
        w.WriteInt8((sbyte)key.Protocol);
        w.WriteUInt16(edition);
        w.WriteUInt8(header.Command);
        w.WriteUInt8(header.ResponseFlag);
        w.WriteUInt8(header.Encryption);
        w.WriteNullableDateTime(deviceTime);
        w.WriteBytes(key.Listener);
        w.WriteBytes(default); // remote_endpoint: not in the envelope
        w.WriteBytes(frameBytes);
        w.WriteInt8((sbyte)signature);
        w.WriteUInt8(key.Admitted ? (byte)1 : (byte)0);
        table.EndRow();
    }

    /// <summary>Columns of <see cref="QuarantinedFrameRow.Table"/>, in order.</summary>
    private static void WriteQuarantine(RowBuffer<QuarantinedFrameRow> table, in RowKey key, in FrameHeader header, SignatureVerdict reason,
        ReadOnlySpan<byte> frameBytes)
    {
        var w = table.BeginRow();
        w.WriteBytes(key.Node);
        w.WriteUInt64((ulong)key.Offset);
        w.WriteDateTime(key.ReceivedAt);
        w.WriteBytes(key.Vin);
        w.WriteInt8((sbyte)key.Protocol);
        w.WriteUInt8(header.Command);
        w.WriteBytes(key.Listener);
        w.WriteInt8((sbyte)reason);
        w.WriteBytes(frameBytes);
        table.EndRow();
    }

    /// <summary>Columns of <see cref="SessionEventRow.Table"/>, in order.</summary>
    private static void WriteSession(RowBuffer<SessionEventRow> table, in RowKey key, SessionEvent kind, DateTimeOffset? deviceTime,
        ushort serial, scoped ReadOnlySpan<byte> iccid)
    {
        var w = table.BeginRow();
        w.WriteBytes(key.Node);
        w.WriteUInt64((ulong)key.Offset);
        w.WriteBytes(key.Vin);
        w.WriteInt8((sbyte)kind);
        w.WriteNullableDateTime(deviceTime);
        w.WriteDateTime(key.ReceivedAt);
        w.WriteNullableUInt16(serial);
        w.WriteBytes(iccid);
        w.WriteInt8((sbyte)key.Protocol);
        w.WriteBytes(key.Listener);
        w.WriteBytes(default); // remote_endpoint
        table.EndRow();
    }

    private static bool Admitted(in FrameEnvelope envelope) => (envelope.Flags & EnvelopeFlags.Unfiled) == 0;

    private static ushort Word(ReadOnlySpan<byte> data, int at) => (ushort)(data[at] << 8 | data[at + 1]);
}

/// <summary>The columns every row of one record shares.</summary>
internal readonly ref struct RowKey(ReadOnlySpan<byte> node, long offset, ReadOnlySpan<byte> vin, DateTimeOffset receivedAt,
    StoredProtocol protocol, ReadOnlySpan<byte> listener, bool admitted = true)
{
    /// <summary>False for a frame of a vehicle that was not in the registry (<c>EnvelopeFlags.Unfiled</c>).</summary>
    public bool Admitted { get; } = admitted;

    public ReadOnlySpan<byte> Node { get; } = node;

    public long Offset { get; } = offset;

    /// <summary>The header identifier as text bytes (trailing zero padding dropped).</summary>
    public ReadOnlySpan<byte> Vin { get; } = vin;

    public DateTimeOffset ReceivedAt { get; } = receivedAt;

    public StoredProtocol Protocol { get; } = protocol;

    public ReadOnlySpan<byte> Listener { get; } = listener;
}
