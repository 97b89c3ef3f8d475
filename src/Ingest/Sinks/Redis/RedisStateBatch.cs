using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Ingest.Protocol.Primitives;
using StackExchange.Redis;

namespace Ingest.Sinks.Redis;

/// <summary>
/// Where a vehicle's data lives in Redis, computed once per vehicle and kept (<see cref="RedisStateBatch"/>'s cache):
/// its state hash, its VIN as a sorted-set member, its online/seen shard and the cluster slot of its hash.
/// </summary>
internal sealed record VehicleRoute(RedisKey State, RedisValue Member, int Shard, int Slot);

/// <summary>
/// One batch of state updates turned into the commands of one round trip: the updates are merged per VIN (field by field,
/// each field keeping the time that guards it, so that the script's outcome is exactly that of applying the updates
/// one by one, whatever is stored), then written with one merge-script call per cluster slot group (one call in all
/// on a single node), one ZADD per online and seen shard, one conditional removal per shard with logouts, and one
/// XADD per update to the live stream. Reused from batch to batch: the per-VIN table, the
/// merged vehicles and the number text grow to the largest batch and stay.
/// </summary>
internal sealed class RedisStateBatch
{
    // KEYS: state hashes. ARGV, per key and for each of its two guards (last_seen_ms, then device_time_ms): the number
    // of segments, then per segment its time (ms), the number of values that follow and the values (field, value, ...).
    // A segment is written when its time is not older than the guard as stored before this call; the segment with the
    // newest time carries the guard itself. Every field is in one segment only, so their order does not matter.
    internal const string MergeScript = """
        local a = 1
        for k = 1, #KEYS do
          local stored = redis.call('HMGET', KEYS[k], 'last_seen_ms', 'device_time_ms')
          local set = {}
          for g = 1, 2 do
            local guard = tonumber(stored[g] or '-1')
            local segments = tonumber(ARGV[a])
            a = a + 1
            for s = 1, segments do
              local n = tonumber(ARGV[a + 1])
              if tonumber(ARGV[a]) >= guard then
                for i = a + 2, a + 1 + n do set[#set + 1] = ARGV[i] end
              end
              a = a + 2 + n
            end
          end
          if #set > 0 then redis.call('HSET', KEYS[k], unpack(set)) end
        end
        return #KEYS
        """;

    // KEYS[1] online set. ARGV: pairs of member and logout time (ms). Removes a member scored no later than its logout:
    // an online frame newer than the logout (same batch or earlier) keeps it.
    internal const string RemoveLoggedOutScript = """
        local removed = 0
        for i = 1, #ARGV, 2 do
          local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
          if score and tonumber(score) <= tonumber(ARGV[i + 1]) then removed = removed + redis.call('ZREM', KEYS[1], ARGV[i]) end
        end
        return removed
        """;

    /// <summary>
    /// Vehicles one merge-script call takes at most: a script blocks Redis while it runs (about 15 µs per vehicle), so a
    /// large batch (a rebuild, a backlog) is cut into calls of a few milliseconds each.
    /// </summary>
    internal const int MaxVehiclesPerScript = 250;

    private readonly Dictionary<Vin, int> _index = [];
    private readonly List<MergedVehicle> _vehicles = [];
    private readonly ArgumentWriter _arguments = new();
    private int _count;

    /// <summary>Vehicles in the batch (distinct VINs).</summary>
    public int Vehicles => _count;

    public void Clear()
    {
        _index.Clear();
        _count = 0;
        _arguments.Clear();
    }

    /// <summary>Merges the updates per VIN, in order.</summary>
    public void Merge(ReadOnlySpan<StateUpdate> updates, Func<Vin, VehicleRoute> route)
    {
        foreach (ref readonly var update in updates)
        {
            ref int slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_index, update.Vin, out bool exists);
            if (!exists)
            {
                slot = _count++;
                if (_vehicles.Count < _count)
                {
                    _vehicles.Add(new MergedVehicle());
                }
                _vehicles[slot].Reset(route(update.Vin));
            }
            _vehicles[slot].Apply(update);
        }
    }

    /// <summary>
    /// Queues the batch's commands on <paramref name="batch"/>, their tasks into <paramref name="tasks"/>. With
    /// <paramref name="groupBySlot"/> (Redis Cluster) the merge script runs once per slot, else once for all (in calls
    /// of at most <see cref="MaxVehiclesPerScript"/> vehicles).
    /// </summary>
    public void Queue(IBatch batch, ReadOnlySpan<StateUpdate> updates, RedisKeys keys, RedisOptions options, bool groupBySlot, List<Task> tasks)
    {
        if (options.LiveStreamMaxLength > 0)
        {
            // One XADD per update, not a script: through Lua every value would be converted twice (measured: the
            // script cost Redis more CPU than the plain commands in the same pipeline).
            foreach (ref readonly var update in updates)
            {
                WriteStreamEntry(_arguments, _vehicles[_index[update.Vin]].Route.Member, update);
                tasks.Add(batch.StreamAddAsync(keys.LiveStream, _arguments.TakePairs(), maxLength: options.LiveStreamMaxLength,
                    useApproximateMaxLength: true));
            }
        }
        // Sorting reorders the vehicles under _index: the index is not used after this point.
        var vehicles = CollectionsMarshal.AsSpan(_vehicles)[.._count];
        if (groupBySlot)
        {
            vehicles.Sort(static (x, y) => x.Route.Slot.CompareTo(y.Route.Slot));
        }
        for (int start = 0; start < vehicles.Length;)
        {
            int end = start + 1;
            while (end < vehicles.Length && end - start < MaxVehiclesPerScript
                && (!groupBySlot || vehicles[end].Route.Slot == vehicles[start].Route.Slot))
            {
                end++;
            }
            var group = vehicles[start..end];
            var stateKeys = new RedisKey[group.Length];
            for (int i = 0; i < group.Length; i++)
            {
                stateKeys[i] = group[i].Route.State;
                group[i].WriteMerge(_arguments);
            }
            tasks.Add(batch.ScriptEvaluateAsync(MergeScript, stateKeys, _arguments.Take()));
            start = end;
        }
        QueuePresence(batch, vehicles, keys, tasks);
    }

    /// <summary>Per shard: one ZADD GT to the online set, one to the seen set, and the logouts' conditional removal.</summary>
    private static void QueuePresence(IBatch batch, Span<MergedVehicle> vehicles, RedisKeys keys, List<Task> tasks)
    {
        var online = new List<SortedSetEntry>();
        var seen = new List<SortedSetEntry>();
        var loggedOut = new List<RedisValue>();
        for (int shard = 0; shard < keys.Shards; shard++)
        {
            online.Clear();
            seen.Clear();
            loggedOut.Clear();
            foreach (var vehicle in vehicles)
            {
                if (vehicle.Route.Shard != shard)
                {
                    continue;
                }
                seen.Add(new SortedSetEntry(vehicle.Route.Member, vehicle.SeenMs));
                if (vehicle.OnlineMs is { } onlineMs)
                {
                    online.Add(new SortedSetEntry(vehicle.Route.Member, onlineMs));
                }
                if (!vehicle.Online)
                {
                    loggedOut.Add(vehicle.Route.Member);
                    loggedOut.Add(vehicle.SeenMs);
                }
            }
            if (seen.Count == 0)
            {
                continue;
            }
            var onlineKey = keys.OnlineShard(shard);
            if (online.Count > 0)
            {
                tasks.Add(batch.SortedSetAddAsync(onlineKey, [.. online], SortedSetWhen.GreaterThan));
            }
            tasks.Add(batch.SortedSetAddAsync(keys.SeenShard(shard), [.. seen], SortedSetWhen.GreaterThan));
            if (loggedOut.Count > 0)
            {
                // After the ZADD above on the same key (one connection keeps the order).
                tasks.Add(batch.ScriptEvaluateAsync(RemoveLoggedOutScript, [onlineKey], [.. loggedOut]));
            }
        }
    }

    /// <summary>The live stream's entry for one update: presence, last_seen_ms, then with a device time its telemetry.</summary>
    private static void WriteStreamEntry(ArgumentWriter w, RedisValue vin, in StateUpdate update)
    {
        w.Add(Names.Vin, vin);
        w.Add(Names.Online, update.LoggedOut ? Names.Zero : Names.One);
        w.Add(Names.Node, update.Node);
        w.Add(Names.Protocol, update.Protocol);
        long received = update.ReceivedAt.ToUnixTimeMilliseconds();
        w.Add(Names.LastSeenMs, received);
        if (update.DeviceTime is { } deviceTime)
        {
            w.Add(Names.DeviceTimeMs, deviceTime.ToUnixTimeMilliseconds());
            w.Add(Names.ReceivedAtMs, received);
            w.Add(Names.Longitude, update.Longitude);
            w.Add(Names.Latitude, update.Latitude);
            w.Add(Names.PositionValid, update.PositionValid);
            w.Add(Names.SpeedKmh, update.SpeedKmh);
            w.Add(Names.SocPct, update.SocPct);
            w.Add(Names.FuelLevelPct, update.FuelLevelPct);
            w.Add(Names.OdometerKm, update.OdometerKm);
            w.Add(Names.AlarmLevel, update.AlarmLevel);
            w.Add(Names.AlarmFlags, update.AlarmFlags);
            w.Add(Names.Mil, update.Mil);
            w.Add(Names.NoxPpm, update.NoxPpm);
            w.Add(Names.SpoolOffset, update.SpoolOffset);
        }
    }

    /// <summary>Returns the number text's buffers to the pool: only once every command that reads them has completed.</summary>
    public void Release() => _arguments.Release();

    /// <summary>The state hash's field names (<see cref="VehicleStateFields"/>) as ready-made values.</summary>
    private static class Names
    {
        public static readonly RedisValue LastSeenMs = VehicleStateFields.LastSeenMs;
        public static readonly RedisValue DeviceTimeMs = VehicleStateFields.DeviceTimeMs;
        public static readonly RedisValue Vin = VehicleStateFields.Vin;
        public static readonly RedisValue Online = VehicleStateFields.Online;
        public static readonly RedisValue Node = VehicleStateFields.Node;
        public static readonly RedisValue Protocol = VehicleStateFields.Protocol;
        public static readonly RedisValue ReceivedAtMs = VehicleStateFields.ReceivedAtMs;
        public static readonly RedisValue Longitude = VehicleStateFields.Longitude;
        public static readonly RedisValue Latitude = VehicleStateFields.Latitude;
        public static readonly RedisValue PositionValid = VehicleStateFields.PositionValid;
        public static readonly RedisValue SpeedKmh = VehicleStateFields.SpeedKmh;
        public static readonly RedisValue SocPct = VehicleStateFields.SocPct;
        public static readonly RedisValue FuelLevelPct = VehicleStateFields.FuelLevelPct;
        public static readonly RedisValue OdometerKm = VehicleStateFields.OdometerKm;
        public static readonly RedisValue AlarmLevel = VehicleStateFields.AlarmLevel;
        public static readonly RedisValue AlarmFlags = VehicleStateFields.AlarmFlags;
        public static readonly RedisValue Mil = VehicleStateFields.Mil;
        public static readonly RedisValue NoxPpm = VehicleStateFields.NoxPpm;
        public static readonly RedisValue SpoolOffset = VehicleStateFields.SpoolOffset;
        public static readonly RedisValue One = "1";
        public static readonly RedisValue Zero = "0";
    }

    /// <summary>A field value with the time that guards it (receive time for presence, device time for telemetry).</summary>
    internal struct Stamped<T>
        where T : struct
    {
        public bool Has;
        public long At;
        public T Value;

        public void Take(T? value, long at)
        {
            if (value is { } v)
            {
                Has = true;
                At = at;
                Value = v;
            }
        }
    }

    /// <summary>As <see cref="Stamped{T}"/>, for text.</summary>
    internal struct StampedText
    {
        public bool Has;
        public long At;
        public string? Value;

        public void Take(string? value, long at)
        {
            if (value is not null)
            {
                Has = true;
                At = at;
                Value = value;
            }
        }
    }

    /// <summary>
    /// All updates of one VIN in a batch, merged so that writing it is the same as writing them one by one. An update
    /// is applied one by one when its guard time is not older than every earlier one's (and than the stored guard);
    /// so each field ends with the value of the last such update that has it, provided that update's time is not older
    /// than the stored guard, else keeps the stored value. The merge keeps, per field, that value and that time; the
    /// script compares each time with the stored guard.
    /// </summary>
    private sealed class MergedVehicle
    {
        public VehicleRoute Route = null!;
        public long SeenMs;
        public bool Online;
        /// <summary>Newest receive time of the online (not logout) updates: the online set's score.</summary>
        public long? OnlineMs;
        private bool _hasPresence;
        private StampedText _node;
        private StampedText _protocol;

        private bool _hasTelemetry;
        private long _deviceMs;
        private long _receivedMs;
        private Stamped<double> _longitude, _latitude, _speed, _soc, _fuel, _odometer, _nox;
        private Stamped<bool> _positionValid, _mil;
        private Stamped<long> _alarmLevel, _alarmFlags, _spoolOffset;

        public void Reset(VehicleRoute route)
        {
            Route = route;
            OnlineMs = null;
            _hasPresence = _hasTelemetry = false;
            _node = default;
            _protocol = default;
            _longitude = _latitude = _speed = _soc = _fuel = _odometer = _nox = default;
            _positionValid = _mil = default;
            _alarmLevel = _alarmFlags = _spoolOffset = default;
        }

        public void Apply(in StateUpdate update)
        {
            long received = update.ReceivedAt.ToUnixTimeMilliseconds();
            if (!_hasPresence || received >= SeenMs)
            {
                _hasPresence = true;
                SeenMs = received;
                Online = !update.LoggedOut;
                _node.Take(update.Node, received);
                _protocol.Take(update.Protocol, received);
            }
            if (!update.LoggedOut && (OnlineMs is not { } newest || received > newest))
            {
                OnlineMs = received;
            }
            if (update.DeviceTime is not { } deviceTime)
            {
                return;
            }
            long device = deviceTime.ToUnixTimeMilliseconds();
            if (_hasTelemetry && device < _deviceMs)
            {
                return;
            }
            _hasTelemetry = true;
            _deviceMs = device;
            _receivedMs = received;
            _longitude.Take(update.Longitude, device);
            _latitude.Take(update.Latitude, device);
            _positionValid.Take(update.PositionValid, device);
            _speed.Take(update.SpeedKmh, device);
            _soc.Take(update.SocPct, device);
            _fuel.Take(update.FuelLevelPct, device);
            _odometer.Take(update.OdometerKm, device);
            _alarmLevel.Take(update.AlarmLevel, device);
            _alarmFlags.Take(update.AlarmFlags, device);
            _mil.Take(update.Mil, device);
            _nox.Take(update.NoxPpm, device);
            _spoolOffset.Take(update.SpoolOffset, device);
        }

        /// <summary>This vehicle's part of the merge script's arguments: presence segments, then telemetry segments.</summary>
        public void WriteMerge(ArgumentWriter w)
        {
            int segmentsAt = w.Reserve();
            int segments = 0;
            for (long at = NextPresenceTime(long.MinValue); at != long.MaxValue; at = NextPresenceTime(at), segments++)
            {
                w.Add(at);
                int countAt = w.Reserve();
                int start = w.Count;
                if (at == SeenMs)
                {
                    w.Add(Names.LastSeenMs, SeenMs);
                    w.Add(Names.Vin, Route.Member);
                    w.Add(Names.Online, Online ? Names.One : Names.Zero);
                }
                w.Add(Names.Node, _node, at);
                w.Add(Names.Protocol, _protocol, at);
                w.Set(countAt, w.Count - start);
            }
            w.Set(segmentsAt, segments);

            segmentsAt = w.Reserve();
            segments = 0;
            for (long at = NextTelemetryTime(long.MinValue); at != long.MaxValue; at = NextTelemetryTime(at), segments++)
            {
                w.Add(at);
                int countAt = w.Reserve();
                int start = w.Count;
                if (at == _deviceMs)
                {
                    w.Add(Names.DeviceTimeMs, _deviceMs);
                    w.Add(Names.ReceivedAtMs, _receivedMs);
                }
                w.Add(Names.Longitude, _longitude, at);
                w.Add(Names.Latitude, _latitude, at);
                w.Add(Names.PositionValid, _positionValid, at);
                w.Add(Names.SpeedKmh, _speed, at);
                w.Add(Names.SocPct, _soc, at);
                w.Add(Names.FuelLevelPct, _fuel, at);
                w.Add(Names.OdometerKm, _odometer, at);
                w.Add(Names.AlarmLevel, _alarmLevel, at);
                w.Add(Names.AlarmFlags, _alarmFlags, at);
                w.Add(Names.Mil, _mil, at);
                w.Add(Names.NoxPpm, _nox, at);
                w.Add(Names.SpoolOffset, _spoolOffset, at);
                w.Set(countAt, w.Count - start);
            }
            w.Set(segmentsAt, segments);
        }

        /// <summary>The earliest field time after <paramref name="after"/> (long.MaxValue: none). Usually one time in all.</summary>
        private long NextPresenceTime(long after)
        {
            long next = long.MaxValue;
            Consider(ref next, after, _hasPresence, SeenMs);
            Consider(ref next, after, _node.Has, _node.At);
            Consider(ref next, after, _protocol.Has, _protocol.At);
            return next;
        }

        private long NextTelemetryTime(long after)
        {
            long next = long.MaxValue;
            Consider(ref next, after, _hasTelemetry, _deviceMs);
            Consider(ref next, after, _longitude.Has, _longitude.At);
            Consider(ref next, after, _latitude.Has, _latitude.At);
            Consider(ref next, after, _positionValid.Has, _positionValid.At);
            Consider(ref next, after, _speed.Has, _speed.At);
            Consider(ref next, after, _soc.Has, _soc.At);
            Consider(ref next, after, _fuel.Has, _fuel.At);
            Consider(ref next, after, _odometer.Has, _odometer.At);
            Consider(ref next, after, _alarmLevel.Has, _alarmLevel.At);
            Consider(ref next, after, _alarmFlags.Has, _alarmFlags.At);
            Consider(ref next, after, _mil.Has, _mil.At);
            Consider(ref next, after, _nox.Has, _nox.At);
            Consider(ref next, after, _spoolOffset.Has, _spoolOffset.At);
            return next;
        }

        private static void Consider(ref long next, long after, bool has, long at)
        {
            if (has && at > after && at < next)
            {
                next = at;
            }
        }
    }

    /// <summary>
    /// Script arguments: a list of values, numbers written as invariant text into pooled buffers that the values point
    /// into (doubles as "R", as <see cref="VehicleStateFields"/> writes them), so that a batch's arguments cost the
    /// value arrays and nothing per field.
    /// </summary>
    internal sealed class ArgumentWriter
    {
        private const int ChunkBytes = 16 * 1024;
        private const int MaxNumberBytes = 32;

        private readonly List<RedisValue> _values = [];
        private readonly List<byte[]> _chunks = [];
        private byte[]? _chunk;
        private int _used;

        public int Count => _values.Count;

        public void Clear() => _values.Clear();

        /// <summary>A place for a count written later with <see cref="Set"/>.</summary>
        public int Reserve()
        {
            _values.Add(RedisValue.Null);
            return _values.Count - 1;
        }

        public void Set(int index, long value) => _values[index] = value;

        public void Add(RedisValue value) => _values.Add(value);

        public void Add(RedisValue name, RedisValue value)
        {
            _values.Add(name);
            _values.Add(value);
        }

        public void Add(RedisValue name, string? value)
        {
            if (value is not null)
            {
                Add(name, (RedisValue)value);
            }
        }

        public void Add(RedisValue name, long? value)
        {
            if (value is { } v)
            {
                Add(name, (RedisValue)v);
            }
        }

        public void Add(RedisValue name, bool? value)
        {
            if (value is { } v)
            {
                Add(name, v ? Names.One : Names.Zero);
            }
        }

        public void Add(RedisValue name, double? value)
        {
            if (value is { } v)
            {
                Add(name, Text(v));
            }
        }

        public void Add(RedisValue name, in StampedText field, long at)
        {
            if (field.Has && field.At == at)
            {
                Add(name, (RedisValue)field.Value);
            }
        }

        public void Add(RedisValue name, in Stamped<long> field, long at)
        {
            if (field.Has && field.At == at)
            {
                Add(name, (RedisValue)field.Value);
            }
        }

        public void Add(RedisValue name, in Stamped<bool> field, long at)
        {
            if (field.Has && field.At == at)
            {
                Add(name, field.Value ? Names.One : Names.Zero);
            }
        }

        public void Add(RedisValue name, in Stamped<double> field, long at)
        {
            if (field.Has && field.At == at)
            {
                Add(name, Text(field.Value));
            }
        }

        /// <summary>The values written since the last call, as the array a command takes.</summary>
        public RedisValue[] Take()
        {
            var values = _values.ToArray();
            _values.Clear();
            return values;
        }

        /// <summary>The pairs written since the last call, as a stream entry's fields.</summary>
        public NameValueEntry[] TakePairs()
        {
            var pairs = new NameValueEntry[_values.Count / 2];
            for (int i = 0; i < pairs.Length; i++)
            {
                pairs[i] = new NameValueEntry(_values[2 * i], _values[(2 * i) + 1]);
            }
            _values.Clear();
            return pairs;
        }

        public void Release()
        {
            foreach (var chunk in _chunks)
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
            _chunks.Clear();
            _chunk = null;
        }

        private RedisValue Text(double value)
        {
            if (_chunk is null || _chunk.Length - _used < MaxNumberBytes)
            {
                _chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                _chunks.Add(_chunk);
                _used = 0;
            }
            if (!value.TryFormat(_chunk.AsSpan(_used), out int written, "R", CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException("A double's text did not fit in 32 bytes."); // cannot happen: at most 24
            }
            var text = _chunk.AsMemory(_used, written);
            _used += written;
            return text;
        }
    }

    /// <summary>The Redis Cluster slot of a key: CRC16 (XMODEM) of its hash tag (or of the whole key), modulo 16384.</summary>
    public static int SlotOf(string key)
    {
        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetByteCount(key)];
        Encoding.UTF8.GetBytes(key, bytes);
        int open = bytes.IndexOf((byte)'{');
        if (open >= 0)
        {
            int close = bytes[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
            {
                bytes = bytes.Slice(open + 1, close);
            }
        }
        ushort crc = 0;
        foreach (byte b in bytes)
        {
            crc ^= (ushort)(b << 8);
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }
        return crc & 16383;
    }
}
