namespace LoadGen.Vehicles;

/// <summary>
/// The VIN check digit of ISO 3779 (as adopted by GB 16735 for Chinese VINs and by 49 CFR 565 in North America):
/// each character is transliterated to a number, multiplied by its position weight, and the sum modulo 11 is the
/// digit in position 9 ("X" for 10). I, O and Q never occur in a VIN.
/// </summary>
public static class VinCheckDigit
{
    public const int Length = 17;

    /// <summary>Zero-based index of the check digit (position 9).</summary>
    public const int Position = 8;

    private static ReadOnlySpan<int> Weights => [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

    /// <summary>The characters a VIN may contain, in no particular order of value.</summary>
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

    /// <summary>The check character for <paramref name="vin"/> (position 9 is ignored), or null when a character is not allowed.</summary>
    public static char? Compute(ReadOnlySpan<char> vin)
    {
        if (vin.Length != Length)
        {
            return null;
        }
        int sum = 0;
        for (int i = 0; i < Length; i++)
        {
            int value = Transliterate(vin[i]);
            if (value < 0)
            {
                return null;
            }
            sum += value * Weights[i];
        }
        int remainder = sum % 11;
        return remainder == 10 ? 'X' : (char)('0' + remainder);
    }

    /// <summary>True when <paramref name="vin"/> has 17 allowed characters and position 9 holds the right check character.</summary>
    public static bool IsValid(ReadOnlySpan<char> vin) => Compute(vin) is { } check && vin[Position] == check;

    /// <summary>The numeric value of a VIN character: digits as themselves, letters by the ISO 3779 table; -1 if not allowed.</summary>
    public static int Transliterate(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        'A' or 'J' => 1,
        'B' or 'K' or 'S' => 2,
        'C' or 'L' or 'T' => 3,
        'D' or 'M' or 'U' => 4,
        'E' or 'N' or 'V' => 5,
        'F' or 'W' => 6,
        'G' or 'P' or 'X' => 7,
        'H' or 'Y' => 8,
        'R' or 'Z' => 9,
        _ => -1,
    };
}
