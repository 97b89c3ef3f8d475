using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ingest.Records;

namespace Ingest.AlarmEvents;

/// <summary>What an alarm event is about; its name is the <c>kind</c> of the JSON and the ClickHouse Enum8.</summary>
public enum AlarmKind : sbyte
{
    /// <summary>GB/T 32960 alarm unit: highest alarm level 3 (the most severe, table 18).</summary>
    [JsonStringEnumMemberName("level3")]
    Level3 = 1,

    /// <summary>GB/T 32960 general alarm flag; the code is the bit number.</summary>
    [JsonStringEnumMemberName("general_flag")]
    GeneralFlag = 2,

    /// <summary>HJ 1239 / GB 17691 OBD item: malfunction indicator lamp on.</summary>
    [JsonStringEnumMemberName("mil")]
    Mil = 3,

    /// <summary>HJ 1239 / GB 17691 OBD item: a diagnostic trouble code; the code is the DTC as sent.</summary>
    [JsonStringEnumMemberName("dtc")]
    Dtc = 4,

    /// <summary>An online vehicle sent no frame for <see cref="AlarmOptions.SilenceTimeout"/>.</summary>
    [JsonStringEnumMemberName("silence")]
    Silence = 5,
}

/// <summary>Which moment of an event a record reports.</summary>
public enum AlarmPhase : sbyte
{
    [JsonStringEnumMemberName("start")]
    Start = 1,
    [JsonStringEnumMemberName("end")]
    End = 2,
}

/// <summary>
/// One moment (start or end) of an alarm event, as it goes to ClickHouse, Redis, webhooks and the HTTP API. Both
/// phases carry the same <see cref="Id"/>, derived from the node and the spool offset of the frame that started it,
/// so an event produced again after a restart has the id of its first copy (receivers deduplicate on id and phase).
/// </summary>
public sealed record AlarmEvent
{
    public required string Id { get; init; }

    public required AlarmPhase Phase { get; init; }

    public required AlarmKind Kind { get; init; }

    /// <summary>General flag bit, DTC value, or 0.</summary>
    public required uint Code { get; init; }

    /// <summary>Readable name of what the code means (<c>insulation</c>, <c>P0420</c>-style hex, ...).</summary>
    public required string Detail { get; init; }

    public required string Vin { get; init; }

    /// <summary>The node that detected it (its spool offsets are in the id).</summary>
    public required string Node { get; init; }

    /// <summary>When the frame that started it was received (silence: last frame time + timeout).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the frame that ended it was received; null for a start.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Spool offset of the frame that started it (silence: of the last frame before it).</summary>
    public required long StartOffset { get; init; }

    /// <summary>Spool offset of the frame that ended it; null for a start.</summary>
    public long? EndOffset { get; init; }

    /// <summary>
    /// When this phase was caused: the receive time of the frame behind it, or for a silence start the moment the
    /// timer found it. What the acknowledgement-to-webhook latency is measured from.
    /// </summary>
    public required DateTimeOffset CausedAt { get; init; }

    /// <summary>The event's id: <c>{node}:{startOffset}:{kind}:{code}</c>.</summary>
    public static string MakeId(string node, long startOffset, AlarmKind kind, uint code) =>
        string.Create(CultureInfo.InvariantCulture, $"{node}:{startOffset}:{KindName(kind)}:{code}");

    public static string KindName(AlarmKind kind) => kind switch
    {
        AlarmKind.Level3 => "level3",
        AlarmKind.GeneralFlag => "general_flag",
        AlarmKind.Mil => "mil",
        AlarmKind.Dtc => "dtc",
        AlarmKind.Silence => "silence",
        _ => "unknown",
    };

    public byte[] ToJsonUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, AlarmJsonContext.Default.AlarmEvent);

    public static AlarmEvent FromJsonUtf8(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, AlarmJsonContext.Default.AlarmEvent) ?? throw new JsonException("an alarm event record is JSON null");
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(BeijingTimeJsonConverter), typeof(JsonStringEnumConverter<AlarmKind>), typeof(JsonStringEnumConverter<AlarmPhase>)])]
[JsonSerializable(typeof(AlarmEvent))]
[JsonSerializable(typeof(List<AlarmEvent>))]
internal sealed partial class AlarmJsonContext : JsonSerializerContext;
