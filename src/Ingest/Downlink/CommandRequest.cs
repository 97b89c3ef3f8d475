using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ingest.Protocol.Gb32960.Bodies;

namespace Ingest.Downlink;

/// <summary>
/// Reads the JSON body of <c>POST /vehicles/{vin}/commands</c> into a <see cref="DownlinkCommand"/>, or into the
/// problems that make it unusable (answered 400, one message per field). Parameters are named by their snake_case
/// name with the unit (<c>report_period_s</c>), by hex (<c>"0x02"</c>) or by number (<c>2</c>), from the GB/T 32960
/// 2016 table (digest §1.4.5; the 2025 edition's table is not known to differ).
/// <code>
/// {"command":"query","parameters":["report_period_s","0x09",16]}
/// {"command":"set","parameters":{"report_period_s":10,"platform_domain":"ev.example.com","platform_port":32960}}
/// {"command":"control","control":"reset"}
/// {"command":"control","control":"alarm","alarm":{"level":2,"text":"service due"}}
/// {"command":"control","control":"remote_upgrade","upgrade":{"dial_point":"cmnet","user":"","password":"",
///   "address":"10.0.0.8","port":21,"manufacturer_id":"ACME","hardware_version":"HW001","firmware_version":"FW002",
///   "url":"ftp://10.0.0.8/fw.bin","timeout_min":30}}
/// </code>
/// Optional everywhere: <c>"timeout_s"</c>, the wait for the answer (default Commands:ReplyTimeout).
/// </summary>
public static class CommandRequest
{
    /// <summary>Most values a BYTE parameter can take: 0xFE and 0xFF are the abnormal/invalid markers.</summary>
    private const int MaxByteValue = 0xFD;

    /// <summary>Most values a WORD parameter can take: 0xFFFE and 0xFFFF are the abnormal/invalid markers.</summary>
    private const int MaxWordValue = 0xFFFD;

    private static readonly Dictionary<string, byte> ParameterIdsByName = Enumerable.Range(1, 0x10)
        .ToDictionary(id => Gb32960ParameterId.Name((byte)id), id => (byte)id, StringComparer.Ordinal);

    private static readonly Dictionary<string, byte> ControlsByName = Enumerable.Range(1, 7)
        .ToDictionary(id => Gb32960ControlCommand.Name((byte)id), id => (byte)id, StringComparer.Ordinal);

    private static readonly string[] UpgradeFields =
        ["dial_point", "user", "password", "address", "port", "manufacturer_id", "hardware_version", "firmware_version", "url", "timeout_min"];

    /// <summary>Reads the body; false with at least one entry in <paramref name="problems"/> when it cannot be sent.</summary>
    public static bool TryRead(JsonElement body, CommandOptions options, Dictionary<string, string[]> problems,
        out DownlinkCommand? command, out TimeSpan timeout)
    {
        command = null;
        timeout = options.ReplyTimeout;
        if (body.ValueKind != JsonValueKind.Object)
        {
            problems["body"] = ["A command is a JSON object: {\"command\":\"query\"|\"set\"|\"control\", ...}."];
            return false;
        }
        if (body.TryGetProperty("timeout_s", out var timeoutElement))
        {
            if (timeoutElement.ValueKind != JsonValueKind.Number || !timeoutElement.TryGetDouble(out double seconds) || seconds <= 0
                || seconds > options.MaxReplyTimeout.TotalSeconds)
            {
                problems["timeout_s"] = [$"timeout_s is a number of seconds above 0 and at most {options.MaxReplyTimeout.TotalSeconds:0.###} (Commands:MaxReplyTimeout)."];
            }
            else
            {
                timeout = TimeSpan.FromSeconds(seconds);
            }
        }
        string? kind = body.TryGetProperty("command", out var kindElement) && kindElement.ValueKind == JsonValueKind.String
            ? kindElement.GetString()
            : null;
        string[] allowed;
        switch (kind)
        {
            case "query":
                allowed = ["command", "timeout_s", "parameters"];
                command = ReadQuery(body, problems);
                break;
            case "set":
                allowed = ["command", "timeout_s", "parameters"];
                command = ReadSet(body, problems);
                break;
            case "control":
                allowed = ["command", "timeout_s", "control", "alarm", "upgrade", "arguments_hex"];
                command = ReadControl(body, problems);
                break;
            default:
                problems["command"] = ["command is \"query\" (0x80 parameter query), \"set\" (0x81 parameter set) or \"control\" (0x82 terminal control)."];
                return false;
        }
        foreach (var property in body.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                problems[property.Name] = [$"{property.Name} does not belong to a {kind} command (fields: {string.Join(", ", allowed)})."];
            }
        }
        if (problems.Count > 0)
        {
            command = null;
            return false;
        }
        return command is not null;
    }

    private static DownlinkCommand? ReadQuery(JsonElement body, Dictionary<string, string[]> problems)
    {
        var ids = new SortedSet<byte>();
        if (body.TryGetProperty("parameters", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                problems["parameters"] = ["A query's parameters are an array of names (\"report_period_s\"), hex ids (\"0x02\") or numbers."];
                return null;
            }
            int index = 0;
            foreach (var item in list.EnumerateArray())
            {
                string field = $"parameters[{index++}]";
                if (!TryParameterId(item, out byte id, out string? error))
                {
                    problems[field] = [error!];
                }
                else if (!ids.Add(id))
                {
                    problems[field] = [$"{Gb32960ParameterId.Name(id)} is asked for twice."];
                }
            }
        }
        // A domain's value takes its length from the length parameter before it in the answer: ask for both.
        if (ids.Contains(Gb32960ParameterId.PlatformDomain))
        {
            ids.Add(Gb32960ParameterId.PlatformDomainLength);
        }
        if (ids.Contains(Gb32960ParameterId.PublicPlatformDomain))
        {
            ids.Add(Gb32960ParameterId.PublicPlatformDomainLength);
        }
        return new DownlinkCommand
        {
            Kind = CommandKind.Query,
            QueryIds = [.. ids],
            Summary = ids.Count == 0 ? "query" : "query " + string.Join(", ", ids.Select(Gb32960ParameterId.Name)),
        };
    }

    private static DownlinkCommand? ReadSet(JsonElement body, Dictionary<string, string[]> problems)
    {
        if (!body.TryGetProperty("parameters", out var map) || map.ValueKind != JsonValueKind.Object)
        {
            problems["parameters"] = ["A set's parameters are an object of name (or \"0x02\") to value: {\"report_period_s\":10}."];
            return null;
        }
        var values = new SortedDictionary<byte, byte[]>();
        var summary = new List<string>();
        foreach (var property in map.EnumerateObject())
        {
            string field = "parameters." + property.Name;
            if (!TryParameterId(property.Name, out byte id, out string? error))
            {
                problems[field] = [error!];
                continue;
            }
            string name = Gb32960ParameterId.Name(id);
            if (values.ContainsKey(id))
            {
                problems[field] = [$"{name} is set twice."];
                continue;
            }
            if (id is Gb32960ParameterId.PlatformDomainLength or Gb32960ParameterId.PublicPlatformDomainLength)
            {
                problems[field] = [$"{name} is sent for you with the domain it measures; set {Gb32960ParameterId.Name((byte)(id + 1))}."];
                continue;
            }
            if (id is Gb32960ParameterId.HardwareVersion or Gb32960ParameterId.FirmwareVersion)
            {
                problems[field] = [$"{name} describes the terminal and cannot be set; query it, or use a remote_upgrade control."];
                continue;
            }
            var value = property.Value;
            if (id is Gb32960ParameterId.PlatformDomain or Gb32960ParameterId.PublicPlatformDomain)
            {
                if (!TryAscii(value, 1, byte.MaxValue, out var text, out error))
                {
                    problems[field] = [$"{name}: {error}"];
                    continue;
                }
                values[(byte)(id - 1)] = [(byte)text.Length];
                values[id] = text;
                summary.Add($"{name}={Encoding.ASCII.GetString(text)}");
                continue;
            }
            int size = Gb32960ParameterId.FixedSize(id);
            int max = size == 1 ? MaxByteValue : MaxWordValue;
            // Periods, timeouts and ports of 0 mean nothing; the sampling-inspection flag is a code.
            int min = id == Gb32960ParameterId.SamplingInspection ? 0 : 1;
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int number) || number < min || number > max)
            {
                problems[field] = [$"{name} is a whole number from {min} to {max} ({(size == 1 ? "BYTE" : "WORD")}; the values above are the abnormal/invalid markers)."];
                continue;
            }
            values[id] = size == 1 ? [(byte)number] : [(byte)(number >> 8), (byte)number];
            summary.Add($"{name}={number}");
        }
        if (values.Count == 0 && problems.Count == 0)
        {
            problems["parameters"] = ["Name at least one parameter to set."];
        }
        return new DownlinkCommand
        {
            Kind = CommandKind.Set,
            Parameters = values.Select(p => new Gb32960Parameter(p.Key, p.Value)).ToArray(),
            Summary = "set " + string.Join(", ", summary),
        };
    }

    private static DownlinkCommand? ReadControl(JsonElement body, Dictionary<string, string[]> problems)
    {
        if (!body.TryGetProperty("control", out var controlElement) || !TryControlId(controlElement, out byte control))
        {
            problems["control"] = ["control is one of " + string.Join(", ", ControlsByName.Keys) + " (or its id, \"0x03\")."];
            return null;
        }
        string name = Gb32960ControlCommand.Name(control);
        bool hasAlarm = body.TryGetProperty("alarm", out var alarm);
        bool hasUpgrade = body.TryGetProperty("upgrade", out var upgrade);
        bool hasRaw = body.TryGetProperty("arguments_hex", out var raw);
        if (hasAlarm && control != Gb32960ControlCommand.Alarm)
        {
            problems["alarm"] = [$"alarm belongs to the alarm control, not {name}."];
        }
        if (hasUpgrade && control != Gb32960ControlCommand.RemoteUpgrade)
        {
            problems["upgrade"] = [$"upgrade belongs to the remote_upgrade control, not {name}."];
        }
        if (hasRaw && control != Gb32960ControlCommand.OpenSamplingLink)
        {
            problems["arguments_hex"] = [$"arguments_hex is only for open_sampling_link, whose arguments no source here defines; {name} has " +
                (control is Gb32960ControlCommand.Alarm or Gb32960ControlCommand.RemoteUpgrade ? "its own object." : "no arguments.")];
        }
        byte[] arguments = [];
        string summary = "control " + name;
        switch (control)
        {
            case Gb32960ControlCommand.Alarm:
                if (!hasAlarm || !TryAlarm(alarm, problems, out arguments, out string alarmSummary))
                {
                    problems.TryAdd("alarm", ["The alarm control needs \"alarm\":{\"level\":0-253,\"text\":\"...\"}."]);
                }
                else
                {
                    summary += " " + alarmSummary;
                }
                break;
            case Gb32960ControlCommand.RemoteUpgrade:
                if (!hasUpgrade || !TryUpgrade(upgrade, problems, out arguments, out string upgradeSummary))
                {
                    problems.TryAdd("upgrade", ["The remote_upgrade control needs \"upgrade\" with " + string.Join(", ", UpgradeFields) + "."]);
                }
                else
                {
                    summary += " " + upgradeSummary;
                }
                break;
            case Gb32960ControlCommand.OpenSamplingLink when hasRaw:
                if (raw.ValueKind != JsonValueKind.String || !TryHex(raw.GetString()!, out arguments))
                {
                    problems["arguments_hex"] = ["arguments_hex is an even number of hex digits."];
                }
                else
                {
                    summary += " arguments " + Convert.ToHexString(arguments);
                }
                break;
        }
        return new DownlinkCommand { Kind = CommandKind.Control, Control = control, ControlArguments = arguments, Summary = summary };
    }

    /// <summary>Alarm/warning (0x06): level BYTE then the text (ASCII here: the sources do not say which encoding terminals show).</summary>
    private static bool TryAlarm(JsonElement alarm, Dictionary<string, string[]> problems, out byte[] arguments, out string summary)
    {
        arguments = [];
        summary = "";
        if (alarm.ValueKind != JsonValueKind.Object)
        {
            return false;
        }
        int level = -1;
        if (!alarm.TryGetProperty("level", out var levelElement) || !levelElement.TryGetInt32(out level) || level is < 0 or > MaxByteValue)
        {
            problems["alarm.level"] = ["alarm.level is a whole number from 0 to 253."];
        }
        byte[] text = [];
        if (alarm.TryGetProperty("text", out var textElement) && !TryAscii(textElement, 0, 1024, out text, out string? error))
        {
            problems["alarm.text"] = ["alarm.text: " + error];
        }
        if (problems.ContainsKey("alarm.level") || problems.ContainsKey("alarm.text"))
        {
            return false;
        }
        arguments = [(byte)level, .. text];
        summary = $"level {level} '{Encoding.ASCII.GetString(text)}'";
        return true;
    }

    /// <summary>
    /// Remote upgrade (0x01, 2016 §8.3 table 38): dial point; user; password; address (6 bytes, IPv4 in the last
    /// four); port WORD; manufacturer id (4); hardware version (5); firmware version (5); URL; timeout WORD (min), joined
    /// by ';' as <see cref="RemoteUpgrade.TryParse"/> reads them.
    /// </summary>
    private static bool TryUpgrade(JsonElement upgrade, Dictionary<string, string[]> problems, out byte[] arguments, out string summary)
    {
        arguments = [];
        summary = "";
        if (upgrade.ValueKind != JsonValueKind.Object)
        {
            return false;
        }
        int before = problems.Count;
        foreach (var property in upgrade.EnumerateObject())
        {
            if (!UpgradeFields.Contains(property.Name))
            {
                problems["upgrade." + property.Name] = [$"upgrade has no field {property.Name} (fields: {string.Join(", ", UpgradeFields)})."];
            }
        }
        byte[] Text(string field, int min, int max, bool noSeparator)
        {
            if (!upgrade.TryGetProperty(field, out var element))
            {
                element = default;
            }
            if (!TryAscii(element, min, max, out var bytes, out string? error))
            {
                problems["upgrade." + field] = [$"upgrade.{field}: {error}"];
            }
            else if (noSeparator && bytes.Contains((byte)';'))
            {
                problems["upgrade." + field] = [$"upgrade.{field} may not hold ';', the field separator."];
            }
            return bytes;
        }
        int Word(string field)
        {
            if (!upgrade.TryGetProperty(field, out var element) || !element.TryGetInt32(out int value) || value is < 1 or > MaxWordValue)
            {
                problems["upgrade." + field] = [$"upgrade.{field} is a whole number from 1 to {MaxWordValue}."];
                return 0;
            }
            return value;
        }
        var dialPoint = Text("dial_point", 0, 64, true);
        var user = Text("user", 0, 64, true);
        var password = Text("password", 0, 64, true);
        var manufacturer = Text("manufacturer_id", 4, 4, false);
        var hardware = Text("hardware_version", 5, 5, false);
        var firmware = Text("firmware_version", 5, 5, false);
        var url = Text("url", 1, 1024, false);
        int port = Word("port");
        int timeout = Word("timeout_min");
        byte[] address = [];
        if (!upgrade.TryGetProperty("address", out var addressElement) || addressElement.ValueKind != JsonValueKind.String
            || !IPAddress.TryParse(addressElement.GetString(), out var ip) || ip.AddressFamily != AddressFamily.InterNetwork)
        {
            problems["upgrade.address"] = ["upgrade.address is an IPv4 address (sent as 6 bytes, the address in the last four)."];
        }
        else
        {
            address = [0, 0, .. ip.GetAddressBytes()];
        }
        if (problems.Count > before)
        {
            return false;
        }
        const byte Separator = (byte)';';
        arguments =
        [
            .. dialPoint, Separator, .. user, Separator, .. password, Separator, .. address, Separator,
            (byte)(port >> 8), (byte)port, Separator, .. manufacturer, Separator, .. hardware, Separator, .. firmware, Separator,
            .. url, Separator, (byte)(timeout >> 8), (byte)timeout,
        ];
        summary = $"url {Encoding.ASCII.GetString(url)} firmware {Encoding.ASCII.GetString(firmware)} server {addressElement.GetString()}:{port} " +
            $"timeout {timeout} min (user and password not logged)";
        return true;
    }

    private static bool TryParameterId(JsonElement element, out byte id, out string? error) => element.ValueKind switch
    {
        JsonValueKind.Number when element.TryGetInt32(out int number) => TryKnownId(number, element.GetRawText(), out id, out error),
        JsonValueKind.String => TryParameterId(element.GetString()!, out id, out error),
        _ => Unknown(element.GetRawText(), out id, out error),
    };

    private static bool TryParameterId(string text, out byte id, out string? error)
    {
        if (ParameterIdsByName.TryGetValue(text, out id))
        {
            error = null;
            return true;
        }
        return TryNumber(text, out int number) ? TryKnownId(number, text, out id, out error) : Unknown(text, out id, out error);
    }

    private static bool TryKnownId(int number, string text, out byte id, out string? error)
    {
        id = (byte)number;
        if (number is < 1 or > byte.MaxValue || Gb32960ParameterId.FixedSize(id) < 0)
        {
            return Unknown(text, out id, out error);
        }
        error = null;
        return true;
    }

    private static bool Unknown(string text, out byte id, out string? error)
    {
        id = 0;
        error = $"{text} is not a terminal parameter; parameters are 0x01-0x10: {string.Join(", ", ParameterIdsByName.Keys)}.";
        return false;
    }

    private static bool TryControlId(JsonElement element, out byte control)
    {
        control = 0;
        int number;
        if (element.ValueKind == JsonValueKind.String)
        {
            string text = element.GetString()!;
            if (ControlsByName.TryGetValue(text, out control))
            {
                return true;
            }
            if (!TryNumber(text, out number))
            {
                return false;
            }
        }
        else if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out number))
        {
            return false;
        }
        control = (byte)number;
        return number is >= Gb32960ControlCommand.RemoteUpgrade and <= Gb32960ControlCommand.OpenSamplingLink;
    }

    /// <summary>"0x1A" or "26".</summary>
    private static bool TryNumber(string text, out int number) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number)
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number);

    private static bool TryAscii(JsonElement element, int minLength, int maxLength, out byte[] bytes, out string? error)
    {
        bytes = [];
        if (element.ValueKind != JsonValueKind.String)
        {
            error = minLength == maxLength ? $"a text of exactly {minLength} characters." : $"a text of {minLength} to {maxLength} characters.";
            return false;
        }
        string text = element.GetString()!;
        if (text.Any(c => c is < ' ' or > '~'))
        {
            error = "printable ASCII only (the terminal reads single bytes).";
            return false;
        }
        if (text.Length < minLength || text.Length > maxLength)
        {
            error = minLength == maxLength ? $"exactly {minLength} characters, not {text.Length}." : $"{minLength} to {maxLength} characters, not {text.Length}.";
            return false;
        }
        bytes = Encoding.ASCII.GetBytes(text);
        error = null;
        return true;
    }

    private static bool TryHex(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length % 2 != 0 || !text.All(Uri.IsHexDigit))
        {
            return false;
        }
        bytes = Convert.FromHexString(text);
        return true;
    }
}
