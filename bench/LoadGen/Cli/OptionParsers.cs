using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using LoadGen.Frames;
using LoadGen.Safety;

namespace LoadGen.Cli;

/// <summary>Options with their own text formats: durations ("500ms", "10s", "5m", "1h"), loopback endpoints, command lists.</summary>
internal static class OptionParsers
{
    public delegate bool TryParse<T>(string text, out T value, out string error);

    /// <summary>An option whose value is parsed by <paramref name="parse"/>; a parse error is reported like any usage error.</summary>
    public static Option<T> Create<T>(string name, string description, T defaultValue, TryParse<T> parse, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (parse(text, out var value, out var error))
            {
                return value;
            }
            result.AddError($"{name}: {error}");
            return defaultValue;
        },
    };

    public static bool TryParseDuration(string text, out TimeSpan value, out string error)
    {
        error = "";
        text = text.Trim();
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double amount) && amount >= 0 && amount * scale <= 86_400 * 7)
        {
            value = TimeSpan.FromSeconds(amount * scale);
            return true;
        }
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero)
        {
            return true;
        }
        error = $"'{text}' is not a duration (for example 500ms, 10s, 5m, 1h).";
        return false;
    }

    public static bool TryParseEndpoint(string text, out IPEndPoint value, out string error) =>
        LoopbackGuard.TryParseEndpoint(text, out value, out error);

    public static bool TryParseOptionalEndpoint(string text, out IPEndPoint? value, out string error)
    {
        bool ok = LoopbackGuard.TryParseEndpoint(text, out var endpoint, out error);
        value = ok ? endpoint : null;
        return ok;
    }

    /// <summary>Command ids by name (login, realtime, reissue, logout, heartbeat) or hex (02, 0x02).</summary>
    public static bool TryParseCommands(string text, out IReadOnlySet<byte> value, out string error)
    {
        var set = new HashSet<byte>();
        value = set;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            byte? command = part.ToLowerInvariant() switch
            {
                "login" => Commands.Login,
                "realtime" => Commands.Realtime,
                "reissue" => Commands.Reissue,
                "logout" => Commands.Logout,
                "heartbeat" => Commands.Heartbeat,
                _ => byte.TryParse(part.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? part[2..] : part,
                    NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b) ? b : null,
            };
            if (command is null)
            {
                error = $"'{part}' is not a command (login, realtime, reissue, logout, heartbeat, or a hex id such as 02).";
                return false;
            }
            set.Add(command.Value);
        }
        error = "";
        return true;
    }

    public static bool TryParseProtocols(string text, out IReadOnlySet<TerminalProtocol> value, out string error)
    {
        var set = new HashSet<TerminalProtocol>();
        value = set;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TerminalProtocols.TryParse(part, out var protocol))
            {
                error = $"'{part}' is not a protocol (gb2016, gb2025, hj1239, gb17691).";
                return false;
            }
            set.Add(protocol);
        }
        error = "";
        return true;
    }

    public static bool TryParseInfoMix(string text, out InfoMix? value, out string error)
    {
        bool ok = InfoMix.TryParse(text, out var mix, out error);
        value = ok ? mix : null;
        return ok;
    }

    public static bool TryParseByte(string text, out byte value, out string error)
    {
        string digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (byte.TryParse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value))
        {
            error = "";
            return true;
        }
        error = $"'{text}' is not a byte (hex, for example 01 or 0x02).";
        return false;
    }

    public static string Describe(IEnumerable<byte> commands) => string.Join(",", commands.Order().Select(Commands.Name));
}
