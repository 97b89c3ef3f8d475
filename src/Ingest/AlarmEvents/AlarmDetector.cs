using System.Buffers.Binary;
using System.Globalization;
using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Protocol.Framing;
using Ingest.Protocol.Gb32960;
using Ingest.Protocol.Gb32960.InfoUnits;
using Ingest.Protocol.Hj1239;
using Ingest.Protocol.Hj1239.InfoUnits;
using Ingest.Protocol.Primitives;
using Ingest.Records;
using Ingest.Signatures;
using Ingest.Spool;

namespace Ingest.AlarmEvents;

/// <summary>
/// Turns spool records, in spool order, into alarm events: keeps per vehicle which alarms are active and emits a
/// start when one appears and an end when it goes. A pure state machine (no I/O, no clock): the caller feeds it
/// records and the time for the silence timer, and saves and loads its state with <see cref="Save"/> and
/// <see cref="Load"/>. Everything an event says is derived from the records, so the same records give the same events
/// with the same ids.
/// </summary>
/// <remarks>
/// Per frame it walks the frame's bytes with the protocol walkers (as <see cref="VehicleStateProjector"/> does) and
/// allocates nothing unless an event is emitted or a vehicle is seen for the first time. Reissued data (GB 0x03, HJ
/// 0x03) is history: it keeps a vehicle from looking silent but does not start or end alarms. Vehicles that logged out
/// with no active alarm are forgotten, so the state holds the online and the alarmed vehicles only.
/// </remarks>
public sealed class AlarmDetector
{
    private const uint SnapshotMagic = 0x4D524C41; // "ALRM"
    private const int SnapshotVersion = 1;
    private const int MaxDtcs = ObdInfo.MaxDtcCount;

    private readonly Dictionary<Vin, VehicleAlarms> _vehicles = new();
    private readonly string _node;
    private readonly HjUserItemLayouts _userItems;
    private readonly bool _level3, _mil, _dtc;
    private readonly uint _flagMask;
    private readonly long _silenceMs;

    public AlarmDetector(AlarmOptions options, string node, IEnumerable<ListenerOptions> listeners)
    {
        _node = node;
        _userItems = new HjUserItemLayouts(listeners);
        _level3 = options.Level3;
        _mil = options.Mil;
        _dtc = options.Dtc;
        _flagMask = options.GeneralFlagMask();
        _silenceMs = (long)options.SilenceTimeout.TotalMilliseconds;
    }

    /// <summary>Every record before this spool offset is applied; records before it are skipped (0 at first).</summary>
    public long NextOffset { get; private set; }

    /// <summary>Vehicles with a state (online, or with an active alarm).</summary>
    public int Vehicles => _vehicles.Count;

    /// <summary>Alarms active right now across all vehicles.</summary>
    public int ActiveAlarms => _vehicles.Values.Sum(v => v.Active.Count);

    /// <summary>Applies one record (skipped when already applied); appends the events it causes.</summary>
    public void Apply(in SpoolRecord record, List<AlarmEvent> events)
    {
        if (record.Offset < NextOffset)
        {
            return; // applied before the last failure or restart: its events already went out
        }
        NextOffset = record.NextOffset;
        if (!FrameEnvelope.TryRead(record.Payload, out var envelope) || EnvelopeSignatures.IsQuarantined(envelope))
        {
            return;
        }
        var frame = envelope.Frame.Span;
        if (!WholeFrame.TryValidate(frame, FrameBodies.AnyFrame, out var header, out _) || !header.IsCommand
            || !Vin.IsText(header.Vin.AsSpan()))
        {
            return;
        }
        var vin = header.Vin;
        if (!_vehicles.TryGetValue(vin, out var vehicle))
        {
            vehicle = new VehicleAlarms(vin.ToString());
            _vehicles.Add(vin, vehicle);
        }
        long receivedMs = envelope.ReceivedAtUnixMs;
        var cause = new Cause(record.Offset, receivedMs);
        int silent = vehicle.Find(AlarmKind.Silence, 0);
        if (silent >= 0)
        {
            End(vehicle, silent, cause, events);
        }
        vehicle.LastOffset = record.Offset;
        vehicle.LastReceivedMs = receivedMs;
        vehicle.Online = true;

        var data = frame.Slice(FrameHeader.Size, header.DataLength);
        if (header.Layout == HeaderLayout.Gb32960)
        {
            var edition = Gb32960Editions.FromMarker(header.Marker);
            switch (FrameBodies.ClassifyGb(header, edition, data))
            {
                case FrameBodies.GbBody.Realtime when header.Command == Gb32960Command.RealtimeReport:
                    FromGb(vehicle, data, edition, cause, events);
                    break;
                case FrameBodies.GbBody.Logout:
                    LoggedOut(vin, vehicle);
                    break;
            }
        }
        else
        {
            var userItems = _userItems.For(envelope.ListenerPort);
            switch (FrameBodies.ClassifyHj(header, data, envelope.Protocol, userItems, out var layout))
            {
                case FrameBodies.HjBody.Data when header.Command == Hj1239Command.Realtime:
                    FromHj(vehicle, data, layout, userItems, cause, events);
                    break;
                case FrameBodies.HjBody.Logout:
                    LoggedOut(vin, vehicle);
                    break;
            }
        }
    }

    /// <summary>
    /// Starts a silence event for every online vehicle whose last frame is at least the silence timeout older than
    /// <paramref name="nowMs"/> (Unix ms). Returns how many started.
    /// </summary>
    public int SweepSilence(long nowMs, List<AlarmEvent> events)
    {
        if (_silenceMs <= 0)
        {
            return 0;
        }
        int started = 0;
        foreach (var vehicle in _vehicles.Values)
        {
            if (vehicle.Online && vehicle.LastReceivedMs + _silenceMs <= nowMs && vehicle.Find(AlarmKind.Silence, 0) < 0)
            {
                // Keyed by the last frame, so a silence found again after a restart has the same id.
                var cause = new Cause(vehicle.LastOffset, vehicle.LastReceivedMs + _silenceMs);
                Start(vehicle, AlarmKind.Silence, 0, cause, nowMs, events);
                started++;
            }
        }
        return started;
    }

    private void LoggedOut(Vin vin, VehicleAlarms vehicle)
    {
        vehicle.Online = false;
        if (vehicle.Active.Count == 0)
        {
            _vehicles.Remove(vin);
        }
    }

    private void FromGb(VehicleAlarms vehicle, ReadOnlySpan<byte> data, Gb32960Edition edition, Cause cause, List<AlarmEvent> events)
    {
        var walker = new Gb32960InfoWalker(data, edition);
        while (walker.TryReadNext(out var item))
        {
            if (item.Kind != Gb32960InfoKind.Alarms)
            {
                continue;
            }
            var b = item.Body;
            byte level = b[0];
            if (_level3 && level <= 3) // 0xFE/0xFF: abnormal or invalid, says nothing
            {
                Track(vehicle, AlarmKind.Level3, 0, level == 3, cause, events);
            }
            uint flags = BinaryPrimitives.ReadUInt32BigEndian(b[1..]);
            if (_flagMask != 0 && flags < 0xFFFFFFFE)
            {
                uint wanted = flags & _flagMask;
                uint active = vehicle.ActiveFlags();
                for (uint changed = wanted ^ active; changed != 0; changed &= changed - 1)
                {
                    uint bit = (uint)System.Numerics.BitOperations.TrailingZeroCount(changed);
                    Track(vehicle, AlarmKind.GeneralFlag, bit, (wanted & (1u << (int)bit)) != 0, cause, events);
                }
            }
            return; // the first alarm unit is the frame's alarm state
        }
    }

    private void FromHj(VehicleAlarms vehicle, ReadOnlySpan<byte> data, Hj1239Layout layout, Hj1239UserItemLayout userItems, Cause cause,
        List<AlarmEvent> events)
    {
        var walker = new Hj1239ItemWalker(data, layout, userItems);
        Span<uint> dtcs = stackalloc uint[MaxDtcs];
        while (walker.TryReadNext(out var item))
        {
            if (item.Type != ObdInfo.TypeCode || item.Body.Length < ObdInfo.FixedLength)
            {
                continue;
            }
            var b = item.Body;
            if (_mil && b[1] <= 1) // 0xFE: invalid, says nothing
            {
                Track(vehicle, AlarmKind.Mil, 0, b[1] == 1, cause, events);
            }
            int count = b[ObdInfo.FixedLength - 1];
            if (_dtc && count <= MaxDtcs && b.Length >= ObdInfo.FixedLength + 4 * count)
            {
                var present = dtcs[..count];
                for (int i = 0; i < count; i++)
                {
                    present[i] = BinaryPrimitives.ReadUInt32BigEndian(b[(ObdInfo.FixedLength + 4 * i)..]);
                }
                for (int i = vehicle.Active.Count - 1; i >= 0; i--)
                {
                    var active = vehicle.Active[i];
                    if (active.Kind == AlarmKind.Dtc && !present.Contains(active.Code))
                    {
                        End(vehicle, i, cause, events);
                    }
                }
                foreach (uint code in present)
                {
                    if (vehicle.Find(AlarmKind.Dtc, code) < 0)
                    {
                        Start(vehicle, AlarmKind.Dtc, code, cause, cause.ReceivedMs, events);
                    }
                }
            }
        }
    }

    private void Track(VehicleAlarms vehicle, AlarmKind kind, uint code, bool on, Cause cause, List<AlarmEvent> events)
    {
        int at = vehicle.Find(kind, code);
        if (on && at < 0)
        {
            Start(vehicle, kind, code, cause, cause.ReceivedMs, events);
        }
        else if (!on && at >= 0)
        {
            End(vehicle, at, cause, events);
        }
    }

    private void Start(VehicleAlarms vehicle, AlarmKind kind, uint code, Cause cause, long causedAtMs, List<AlarmEvent> events)
    {
        vehicle.Active.Add(new ActiveAlarm(kind, code, cause.Offset, cause.ReceivedMs));
        events.Add(new AlarmEvent
        {
            Id = AlarmEvent.MakeId(_node, cause.Offset, kind, code),
            Phase = AlarmPhase.Start,
            Kind = kind,
            Code = code,
            Detail = Detail(kind, code),
            Vin = vehicle.Vin,
            Node = _node,
            StartedAt = Time(cause.ReceivedMs),
            StartOffset = cause.Offset,
            CausedAt = Time(causedAtMs),
        });
    }

    private void End(VehicleAlarms vehicle, int index, Cause cause, List<AlarmEvent> events)
    {
        var active = vehicle.Active[index];
        vehicle.Active.RemoveAt(index);
        events.Add(new AlarmEvent
        {
            Id = AlarmEvent.MakeId(_node, active.StartOffset, active.Kind, active.Code),
            Phase = AlarmPhase.End,
            Kind = active.Kind,
            Code = active.Code,
            Detail = Detail(active.Kind, active.Code),
            Vin = vehicle.Vin,
            Node = _node,
            StartedAt = Time(active.StartedAtMs),
            EndedAt = Time(cause.ReceivedMs),
            StartOffset = active.StartOffset,
            EndOffset = cause.Offset,
            CausedAt = Time(cause.ReceivedMs),
        });
    }

    private string Detail(AlarmKind kind, uint code) => kind switch
    {
        AlarmKind.Level3 => "alarm level 3",
        AlarmKind.GeneralFlag => AlarmFlagNames.NameOf((int)code),
        AlarmKind.Mil => "MIL on",
        AlarmKind.Dtc => "0x" + code.ToString("X8", CultureInfo.InvariantCulture),
        AlarmKind.Silence => string.Create(CultureInfo.InvariantCulture, $"no frame for {_silenceMs / 1000} s"),
        _ => "",
    };

    private static DateTimeOffset Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);

    /// <summary>Writes the whole state (with <see cref="NextOffset"/>) with a checksum.</summary>
    public void Save(Stream stream)
    {
        using var body = new MemoryStream(64 + _vehicles.Count * 48);
        using (var w = new BinaryWriter(body, System.Text.Encoding.ASCII, leaveOpen: true))
        {
            w.Write(SnapshotMagic);
            w.Write(SnapshotVersion);
            w.Write(NextOffset);
            w.Write(_vehicles.Count);
            Span<byte> vin = stackalloc byte[Vin.Length];
            foreach (var (key, vehicle) in _vehicles)
            {
                key.Write(vin);
                w.Write(vin);
                w.Write(vehicle.LastOffset);
                w.Write(vehicle.LastReceivedMs);
                w.Write(vehicle.Online);
                w.Write((ushort)vehicle.Active.Count);
                foreach (var active in vehicle.Active)
                {
                    w.Write((sbyte)active.Kind);
                    w.Write(active.Code);
                    w.Write(active.StartOffset);
                    w.Write(active.StartedAtMs);
                }
            }
        }
        var bytes = body.GetBuffer().AsSpan(0, (int)body.Length);
        stream.Write(bytes);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32C.Compute(bytes));
        stream.Write(crc);
    }

    /// <summary>Replaces the state with a snapshot <see cref="Save"/> wrote; throws <see cref="InvalidDataException"/> when it is damaged.</summary>
    public void Load(ReadOnlySpan<byte> snapshot)
    {
        if (snapshot.Length < 24 || Crc32C.Compute(snapshot[..^4]) != BinaryPrimitives.ReadUInt32LittleEndian(snapshot[^4..]))
        {
            throw new InvalidDataException("the alarm detector snapshot is damaged (checksum mismatch)");
        }
        var r = new SnapshotReader(snapshot[..^4]);
        if (r.UInt32() != SnapshotMagic || r.Int32() != SnapshotVersion)
        {
            throw new InvalidDataException("the alarm detector snapshot has an unknown format");
        }
        _vehicles.Clear();
        NextOffset = r.Int64();
        int count = r.Int32();
        for (int i = 0; i < count; i++)
        {
            var vin = Vin.Read(r.Bytes(Vin.Length));
            var vehicle = new VehicleAlarms(vin.ToString())
            {
                LastOffset = r.Int64(),
                LastReceivedMs = r.Int64(),
                Online = r.Byte() != 0,
            };
            int active = r.UInt16();
            for (int a = 0; a < active; a++)
            {
                vehicle.Active.Add(new ActiveAlarm((AlarmKind)(sbyte)r.Byte(), r.UInt32(), r.Int64(), r.Int64()));
            }
            _vehicles.Add(vin, vehicle);
        }
    }

    /// <summary>Forgets every vehicle and skips the records before <paramref name="nextOffset"/>: a detector with no state to resume.</summary>
    public void StartAt(long nextOffset)
    {
        _vehicles.Clear();
        NextOffset = nextOffset;
    }

    private readonly record struct Cause(long Offset, long ReceivedMs);

    private readonly record struct ActiveAlarm(AlarmKind Kind, uint Code, long StartOffset, long StartedAtMs);

    private sealed class VehicleAlarms(string vin)
    {
        public string Vin { get; } = vin;

        public long LastOffset { get; set; }

        public long LastReceivedMs { get; set; }

        public bool Online { get; set; }

        public List<ActiveAlarm> Active { get; } = new(1);

        public int Find(AlarmKind kind, uint code)
        {
            for (int i = 0; i < Active.Count; i++)
            {
                if (Active[i].Kind == kind && Active[i].Code == code)
                {
                    return i;
                }
            }
            return -1;
        }

        public uint ActiveFlags()
        {
            uint flags = 0;
            foreach (var active in Active)
            {
                if (active.Kind == AlarmKind.GeneralFlag)
                {
                    flags |= 1u << (int)active.Code;
                }
            }
            return flags;
        }
    }

    private ref struct SnapshotReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (_rest.Length < count)
            {
                throw new InvalidDataException("the alarm detector snapshot is truncated");
            }
            var bytes = _rest[..count];
            _rest = _rest[count..];
            return bytes;
        }

        public byte Byte() => Bytes(1)[0];

        public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));

        public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));
    }
}
