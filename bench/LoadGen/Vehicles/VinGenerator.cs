namespace LoadGen.Vehicles;

/// <summary>
/// Makes distinct, well-formed VINs for a simulated fleet. One generator belongs to one run: the world
/// manufacturer identifier, the descriptor section, model year and plant come from the run's seed, and positions
/// 12-17 carry the terminal index, so two runs with different seeds do not share VINs (which keeps per-VIN
/// storage checks meaningful) and a run with the same seed makes the same VINs again.
/// </summary>
public sealed class VinGenerator
{
    /// <summary>Terminals one generator can name: positions 12-17 are six decimal digits.</summary>
    public const int MaxTerminals = 1_000_000;

    /// <summary>World manufacturer identifiers of Chinese makers seen on real frames of the shared vectors.</summary>
    private static readonly string[] ManufacturerIds = ["LZY", "LGH", "LFW", "LS6", "LGD", "LDP", "LXV", "LRD", "LA9", "LJ8"];

    /// <summary>Model-year codes (position 10): every allowed letter and digit except 0, U and Z.</summary>
    private const string ModelYears = "ABCDEFGHJKLMNPRSTVWXY123456789";

    private readonly string _prefix;

    /// <param name="prefix">Positions 1-8 and 10-11 as an 11-character string with any character at position 9 (it is replaced).</param>
    public VinGenerator(string prefix)
    {
        if (prefix.Length != 11)
        {
            throw new ArgumentException("A VIN prefix is 11 characters: positions 1-11, with position 9 a placeholder.", nameof(prefix));
        }
        foreach (char c in prefix)
        {
            if (VinCheckDigit.Transliterate(c) < 0)
            {
                throw new ArgumentException($"'{c}' cannot appear in a VIN (allowed: {VinCheckDigit.Alphabet}).", nameof(prefix));
            }
        }
        _prefix = prefix;
    }

    public string Prefix => _prefix;

    /// <summary>A generator whose prefix is derived from <paramref name="seed"/>.</summary>
    public static VinGenerator ForSeed(int seed)
    {
        var rng = new Random(seed);
        Span<char> prefix = stackalloc char[11];
        ManufacturerIds[rng.Next(ManufacturerIds.Length)].CopyTo(prefix);
        for (int i = 3; i < 8; i++)
        {
            prefix[i] = VinCheckDigit.Alphabet[rng.Next(VinCheckDigit.Alphabet.Length)];
        }
        prefix[8] = '0';
        prefix[9] = ModelYears[rng.Next(ModelYears.Length)];
        prefix[10] = VinCheckDigit.Alphabet[rng.Next(VinCheckDigit.Alphabet.Length)];
        return new VinGenerator(new string(prefix));
    }

    /// <summary>The VIN of terminal <paramref name="index"/> (0 .. <see cref="MaxTerminals"/>-1), check digit in place.</summary>
    public string Create(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, MaxTerminals);
        return string.Create(VinCheckDigit.Length, (_prefix, index), static (chars, state) =>
        {
            state._prefix.AsSpan().CopyTo(chars);
            int serial = state.index;
            for (int i = VinCheckDigit.Length - 1; i >= 11; i--)
            {
                chars[i] = (char)('0' + serial % 10);
                serial /= 10;
            }
            chars[VinCheckDigit.Position] = VinCheckDigit.Compute(chars)!.Value;
        });
    }
}
