using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ingest.Records;

/// <summary>Writes a <see cref="DateTimeOffset"/> as ISO 8601 at +08:00 (milliseconds when present); reads any offset.</summary>
public sealed class BeijingTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToOffset(Offset).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFzzz", CultureInfo.InvariantCulture));
}
