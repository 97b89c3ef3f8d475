using StackExchange.Redis;
using Ingest.Sinks.Redis;

namespace Ingest.Benchmarks.Before;

/// <summary>
/// The Redis write path of <see cref="RedisVehicleStateStore.ApplyAsync"/> before issue 7 (commit 5af3c76): per update
/// one merge-script call, one or two ZADDs and one XADD, pipelined, then a second round trip for the logouts' ZREMs.
/// Kept only so that <c>redis-cpu</c> measures old and new against the same Redis in one run.
/// </summary>
public sealed class RedisStateWriterBefore(IConnectionMultiplexer connection, RedisOptions options)
{
    private const string MergeScript = """
        local seen = tonumber(ARGV[1])
        local np = tonumber(ARGV[3])
        local result = 0
        if seen >= tonumber(redis.call('HGET', KEYS[1], 'last_seen_ms') or '-1') then
          redis.call('HSET', KEYS[1], 'last_seen_ms', ARGV[1], unpack(ARGV, 4, 3 + 2 * np))
          result = 1
        end
        if ARGV[2] ~= '' and tonumber(ARGV[2]) >= tonumber(redis.call('HGET', KEYS[1], 'device_time_ms') or '-1') then
          redis.call('HSET', KEYS[1], 'device_time_ms', ARGV[2], unpack(ARGV, 4 + 2 * np))
          result = result + 2
        end
        return result
        """;

    private readonly RedisKeys _keys = new(options);

    public async Task ApplyAsync(IReadOnlyList<VehicleState> updates)
    {
        var db = connection.GetDatabase();
        var merges = new Task<RedisResult>[updates.Count];
        var others = new List<Task>(updates.Count * 3);
        var batch = db.CreateBatch();
        for (int i = 0; i < updates.Count; i++)
        {
            var update = updates[i];
            merges[i] = batch.ScriptEvaluateAsync(MergeScript, [_keys.State(update.Vin)], MergeArguments(update));
            if (update.Online)
            {
                others.Add(batch.SortedSetAddAsync(_keys.Online(update.Vin), update.Vin, update.ReceivedAt.ToUnixTimeMilliseconds(), SortedSetWhen.GreaterThan));
            }
            others.Add(batch.SortedSetAddAsync(_keys.Seen(update.Vin), update.Vin, update.ReceivedAt.ToUnixTimeMilliseconds(), SortedSetWhen.GreaterThan));
            if (options.LiveStreamMaxLength > 0)
            {
                others.Add(batch.StreamAddAsync(_keys.LiveStream, StreamEntry(update), maxLength: options.LiveStreamMaxLength, useApproximateMaxLength: true));
            }
        }
        batch.Execute();
        await Task.WhenAll(Task.WhenAll(merges), Task.WhenAll(others)).ConfigureAwait(false);
        var offline = new List<Task>();
        for (int i = 0; i < updates.Count; i++)
        {
            if (!updates[i].Online && ((int)merges[i].Result & 1) == 1)
            {
                offline.Add(db.SortedSetRemoveAsync(_keys.Online(updates[i].Vin), updates[i].Vin));
            }
        }
        await Task.WhenAll(offline).ConfigureAwait(false);
    }

    private static RedisValue[] MergeArguments(VehicleState update)
    {
        var presence = new List<RedisValue>(8);
        VehicleStateFields.AddPresence(presence, update);
        var values = new List<RedisValue>(8 + presence.Count + 26)
        {
            update.ReceivedAt.ToUnixTimeMilliseconds(),
            update.DeviceTime is { } time ? time.ToUnixTimeMilliseconds() : "",
            presence.Count / 2,
        };
        values.AddRange(presence);
        if (update.DeviceTime is not null)
        {
            VehicleStateFields.AddTelemetry(values, update);
        }
        return [.. values];
    }

    private static NameValueEntry[] StreamEntry(VehicleState update)
    {
        var values = new List<RedisValue>(32);
        VehicleStateFields.AddPresence(values, update);
        values.Add(VehicleStateFields.LastSeenMs);
        values.Add(update.ReceivedAt.ToUnixTimeMilliseconds());
        if (update.DeviceTime is { } time)
        {
            values.Add(VehicleStateFields.DeviceTimeMs);
            values.Add(time.ToUnixTimeMilliseconds());
            VehicleStateFields.AddTelemetry(values, update);
        }
        var entries = new NameValueEntry[values.Count / 2];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = new NameValueEntry(values[2 * i], values[(2 * i) + 1]);
        }
        return entries;
    }
}
