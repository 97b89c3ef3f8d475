using System.Text.Encodings.Web;
using System.Text.Json;
using Ingest.Records;

namespace Ingest.Http;

/// <summary>
/// The JSON conventions of the HTTP surface, the same as the decode output's (<see cref="Protocol.Primitives.DecodeJson"/>):
/// every time is printed at +08:00, the protocols' clock, whichever store produced it (the in-process store keeps
/// device times at +08:00 and receive times at UTC; Redis hands back UTC from its millisecond fields), and '+' is
/// not escaped. The stores keep instants; only the output picks the offset, so equality and ordering are untouched.
/// </summary>
public static class HttpJson
{
    /// <summary>Applies the conventions to the options ASP.NET uses for <c>Results.Json</c>.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.Converters.Add(new BeijingTimeJsonConverter());
    }
}
