using System.Text.Json;
using System.Text.Json.Serialization;

namespace LoadGen.Platform;

/// <summary>
/// What the simulated superior platform received: the file it writes periodically and on exit, and what the
/// fleet's relay check reads. Command keys are "0x02"-style hex; VIN keys are the header identifiers as text.
/// </summary>
public sealed record PlatformRecord
{
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset WrittenAt { get; init; }
    public string EndPoint { get; init; } = "";
    public long Connections { get; init; }
    public long LoginsAccepted { get; init; }
    public long LoginsRejected { get; init; }
    public long Logouts { get; init; }
    public long Heartbeats { get; init; }
    /// <summary>Relayed vehicle frames (everything but platform login, logout and heartbeat).</summary>
    public long Frames { get; init; }
    /// <summary>Relayed frames that arrived on a connection that had not logged in successfully.</summary>
    public long FramesBeforeLogin { get; init; }
    public long Bytes { get; init; }
    /// <summary>Bytes the framer skipped (junk, bad check byte, oversized length).</summary>
    public long SkippedBytes { get; init; }
    public long RepliesSent { get; init; }
    public IReadOnlyDictionary<string, long> Commands { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Vins { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, long>>();

    public static string CommandKey(byte command) => $"0x{command:X2}";

    /// <summary>Frames of <paramref name="commands"/> received for <paramref name="vin"/>.</summary>
    public long Received(string vin, IEnumerable<byte> commands) =>
        Vins.TryGetValue(vin, out var perCommand) ? commands.Sum(c => perCommand.GetValueOrDefault(CommandKey(c))) : 0;

    public string ToJson() => JsonSerializer.Serialize(this, LoadGenJson.Default.PlatformRecord);

    public static PlatformRecord FromJson(string json) =>
        JsonSerializer.Deserialize(json, LoadGenJson.Default.PlatformRecord) ?? throw new JsonException("The platform record is empty.");

    /// <summary>Writes the record atomically (temporary file, then rename), so a reader never sees half a file.</summary>
    public void WriteTo(string path)
    {
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp";
        File.WriteAllText(temp, ToJson());
        File.Move(temp, full, overwrite: true);
    }

    public static PlatformRecord ReadFrom(string path) => FromJson(File.ReadAllText(path));
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PlatformRecord))]
[JsonSerializable(typeof(Cli.FleetOutput))]
[JsonSerializable(typeof(Sink.SinkStats))]
internal sealed partial class LoadGenJson : JsonSerializerContext;
