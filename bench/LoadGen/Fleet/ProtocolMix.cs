using System.Globalization;
using LoadGen.Frames;

namespace LoadGen.Fleet;

/// <summary>
/// Shares of the fleet per protocol, written "gb2016=60,gb2025=20,hj1239=20" (weights, not necessarily percent).
/// Terminals are assigned exactly in proportion (largest remainder), then shuffled with the run's seed.
/// </summary>
public sealed class ProtocolMix
{
    public ProtocolMix(IReadOnlyDictionary<TerminalProtocol, double> weights)
    {
        if (weights.Count == 0 || weights.Values.Any(w => w < 0 || double.IsNaN(w)) || weights.Values.Sum() <= 0)
        {
            throw new ArgumentException("A protocol mix needs at least one positive weight and no negative one.", nameof(weights));
        }
        Weights = weights;
    }

    public IReadOnlyDictionary<TerminalProtocol, double> Weights { get; }

    public static ProtocolMix Default { get; } = Parse("gb2016=60,gb2025=20,hj1239=20");

    public static ProtocolMix Only(TerminalProtocol protocol) => new(new Dictionary<TerminalProtocol, double> { [protocol] = 1 });

    public static ProtocolMix Parse(string text)
    {
        if (!TryParse(text, out var mix, out var error))
        {
            throw new FormatException(error);
        }
        return mix;
    }

    public static bool TryParse(string text, out ProtocolMix mix, out string error)
    {
        mix = null!;
        var weights = new Dictionary<TerminalProtocol, double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (!TerminalProtocols.TryParse(pieces[0], out var protocol))
            {
                error = $"'{pieces[0]}' is not a protocol (gb2016, gb2025, hj1239, gb17691).";
                return false;
            }
            double weight = 1;
            if (pieces.Length == 2 && (!double.TryParse(pieces[1], NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || weight < 0))
            {
                error = $"'{part}': the weight must be a number >= 0.";
                return false;
            }
            weights[protocol] = weight;
        }
        if (weights.Count == 0 || weights.Values.Sum() <= 0)
        {
            error = $"'{text}' gives no protocol a positive weight.";
            return false;
        }
        mix = new ProtocolMix(weights);
        error = "";
        return true;
    }

    /// <summary>The protocol of each of <paramref name="terminals"/> terminals.</summary>
    public TerminalProtocol[] Assign(int terminals, int seed)
    {
        double total = Weights.Values.Sum();
        var shares = Weights.Select(kv => (kv.Key, Exact: terminals * kv.Value / total)).ToList();
        var counts = shares.ToDictionary(s => s.Key, s => (int)Math.Floor(s.Exact));
        int left = terminals - counts.Values.Sum();
        foreach (var s in shares.OrderByDescending(s => s.Exact - Math.Floor(s.Exact)).ThenBy(s => s.Key).Take(left))
        {
            counts[s.Key]++;
        }
        var result = new TerminalProtocol[terminals];
        int i = 0;
        foreach (var (protocol, count) in counts.OrderBy(kv => kv.Key))
        {
            for (int k = 0; k < count; k++)
            {
                result[i++] = protocol;
            }
        }
        new Random(seed).Shuffle(result);
        return result;
    }

    public override string ToString() =>
        string.Join(",", Weights.Select(kv => $"{kv.Key.Name()}={kv.Value.ToString(CultureInfo.InvariantCulture)}"));
}
