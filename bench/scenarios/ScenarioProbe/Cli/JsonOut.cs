using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScenarioProbe.Cli;

/// <summary>Every command prints one JSON object on stdout (snake_case); progress and diagnostics go to stderr.</summary>
public static class JsonOut
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
