using System.Globalization;

namespace LoadGen.Frames;

/// <summary>One entry of an info-type mix: the type code and how many times it repeats in one frame.</summary>
public readonly record struct InfoItem(byte Type, int Count);

/// <summary>
/// Which info items a realtime frame carries, in order. Written as a comma list of hex type codes, each
/// optionally followed by "x" and a repeat count: "01,02,05,06,07,08,09" (GB/T 32960-2016) or "02x10,80"
/// (HJ 1239: ten one-second diesel samples and one supplementary item).
/// </summary>
public sealed class InfoMix
{
    public InfoMix(IReadOnlyList<InfoItem> items)
    {
        if (items.Count == 0)
        {
            throw new ArgumentException("An info mix needs at least one item.", nameof(items));
        }
        Items = items;
    }

    public IReadOnlyList<InfoItem> Items { get; }

    /// <summary>Every item a GB/T 32960-2016 terminal usually sends.</summary>
    public static InfoMix Gb2016Default { get; } = Parse("01,02,05,06,07,08,09");

    /// <summary>The 2025 numbering: 0x06 alarms, 0x07 cell voltages, 0x08 probe temperatures (no extremes block).</summary>
    public static InfoMix Gb2025Default { get; } = Parse("01,02,05,06,07,08");

    /// <summary>Ten one-second diesel samples plus the supplementary stream, one frame every ten seconds.</summary>
    public static InfoMix Hj1239Default { get; } = Parse("02x10,80");

    public static InfoMix Gb17691Default { get; } = Parse("02x10");

    public static InfoMix DefaultFor(TerminalProtocol protocol) => protocol switch
    {
        TerminalProtocol.Gb2016 => Gb2016Default,
        TerminalProtocol.Gb2025 => Gb2025Default,
        TerminalProtocol.Hj1239 => Hj1239Default,
        _ => Gb17691Default,
    };

    /// <summary>Info types each protocol's frame builder can write.</summary>
    public static ReadOnlySpan<byte> Supported(TerminalProtocol protocol) => protocol switch
    {
        TerminalProtocol.Gb2016 => [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x80],
        TerminalProtocol.Gb2025 => [0x01, 0x02, 0x04, 0x05, 0x06, 0x07, 0x08, 0x80],
        _ => [0x01, 0x02, 0x03, 0x04, 0x05, 0x80],
    };

    public static InfoMix Parse(string text)
    {
        if (!TryParse(text, out var mix, out var error))
        {
            throw new FormatException(error);
        }
        return mix;
    }

    public static bool TryParse(string text, out InfoMix mix, out string error)
    {
        mix = null!;
        var items = new List<InfoItem>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string item = part.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? part[2..] : part;
            var pieces = item.Split('x', 'X');
            string typeText = pieces[0];
            if (pieces.Length > 2 || !byte.TryParse(typeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte type))
            {
                error = $"'{part}' is not an info item: write a hex type code, optionally with xCOUNT (for example 08 or 02x10).";
                return false;
            }
            int count = 1;
            if (pieces.Length == 2 && (!int.TryParse(pieces[1], out count) || count is < 1 or > 100))
            {
                error = $"'{part}': the repeat count must be 1-100.";
                return false;
            }
            items.Add(new InfoItem(type, count));
        }
        if (items.Count == 0)
        {
            error = $"'{text}' names no info items.";
            return false;
        }
        mix = new InfoMix(items);
        error = "";
        return true;
    }

    /// <summary>Null when every type is one <paramref name="protocol"/>'s builder can write, else a message naming the first that is not.</summary>
    public string? Validate(TerminalProtocol protocol)
    {
        var supported = Supported(protocol);
        foreach (var item in Items)
        {
            if (!supported.Contains(item.Type))
            {
                var names = string.Join(",", supported.ToArray().Select(t => t.ToString("X2", CultureInfo.InvariantCulture)));
                return $"{protocol.Name()} frames cannot carry info type {item.Type:X2} (supported: {names}).";
            }
        }
        return null;
    }

    public override string ToString() =>
        string.Join(",", Items.Select(i => i.Count == 1 ? i.Type.ToString("X2", CultureInfo.InvariantCulture) : $"{i.Type:X2}x{i.Count}"));
}
