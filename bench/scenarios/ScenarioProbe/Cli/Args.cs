using System.Globalization;
using System.Net;
using LoadGen.Safety;

namespace ScenarioProbe.Cli;

/// <summary>
/// "--name value" pairs after the subcommand. Small on purpose: the tool is driven by run.sh, and every value it
/// reads names its unit ("10s", "250ms") or is a plain count.
/// </summary>
public sealed class Args
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public Args(IEnumerable<string> arguments)
    {
        string? pending = null;
        foreach (var a in arguments)
        {
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _values[pending] = "true";
                }
                pending = a[2..];
            }
            else if (pending is not null)
            {
                _values[pending] = a;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{a}'.");
            }
        }
        if (pending is not null)
        {
            _values[pending] = "true";
        }
    }

    public string? Text(string name)
    {
        _read.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public string Required(string name) => Text(name) ?? throw new ArgumentException($"--{name} is required.");

    public int Int(string name, int fallback) =>
        Text(name) is { } t ? int.Parse(t, NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) =>
        Text(name) is { } t ? double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => Text(name) is "true" or "1" or "yes";

    public TimeSpan Duration(string name, TimeSpan fallback) => Text(name) is { } t ? ParseDuration(t) : fallback;

    /// <summary>A loopback endpoint HOST:PORT; anything else is refused.</summary>
    public IPEndPoint Endpoint(string name) => ParseLoopbackEndpoint(Required(name), name);

    public IPEndPoint? OptionalEndpoint(string name) => Text(name) is { } t ? ParseLoopbackEndpoint(t, name) : null;

    /// <summary>A loopback http:// URL; anything else is refused.</summary>
    public Uri LoopbackUrl(string name)
    {
        string text = Required(name);
        if (!LoopbackGuard.TryCheckUrl(text, out var uri, out var error))
        {
            throw new ArgumentException($"--{name}: {error}");
        }
        return uri!;
    }

    /// <summary>Throws when an option was given that no code read (a typo would otherwise be ignored).</summary>
    public void ThrowIfUnused()
    {
        var unused = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unused.Count > 0)
        {
            throw new ArgumentException("Unknown option(s): " + string.Join(", ", unused.Select(u => "--" + u)));
        }
    }

    public static TimeSpan ParseDuration(string text)
    {
        static double Num(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (text.EndsWith("ms", StringComparison.Ordinal))
        {
            return TimeSpan.FromMilliseconds(Num(text[..^2]));
        }
        if (text.EndsWith('s'))
        {
            return TimeSpan.FromSeconds(Num(text[..^1]));
        }
        if (text.EndsWith('m'))
        {
            return TimeSpan.FromMinutes(Num(text[..^1]));
        }
        throw new ArgumentException($"'{text}' is not a duration such as 250ms, 10s or 2m.");
    }

    private static IPEndPoint ParseLoopbackEndpoint(string text, string name)
    {
        if (!IPEndPoint.TryParse(text, out var endpoint) || endpoint.Port == 0)
        {
            throw new ArgumentException($"--{name}: '{text}' is not HOST:PORT.");
        }
        if (!LoopbackGuard.IsLoopback(endpoint.Address))
        {
            throw new ArgumentException($"--{name}: refusing {endpoint}: loopback addresses only (127.0.0.0/8, ::1).");
        }
        return endpoint;
    }
}
