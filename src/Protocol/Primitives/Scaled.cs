namespace Ingest.Protocol.Primitives;

/// <summary>Whether a raw field holds a measurement or one of the standards' "abnormal"/"invalid" sentinels.</summary>
public enum ValueStatus : byte
{
    Valid = 0,
    /// <summary>0xFE, 0xFFFE, 0xFFFFFFFE: the terminal reports the value as abnormal.</summary>
    Abnormal = 1,
    /// <summary>0xFF, 0xFFFF, 0xFFFFFFFF: the terminal reports the value as invalid (not available).</summary>
    Invalid = 2,
}

/// <summary>Classifies raw field values by the sentinel rules of GB/T 32960.3 and HJ 1239.2.</summary>
public static class Sentinel
{
    public static ValueStatus OfByte(byte raw) => raw switch
    {
        0xFE => ValueStatus.Abnormal,
        0xFF => ValueStatus.Invalid,
        _ => ValueStatus.Valid,
    };

    /// <param name="raw">The WORD as read big-endian.</param>
    /// <param name="acceptSwapped">
    /// Also treat 0xFEFF as abnormal: some HJ 1239 terminals write the sentinel little-endian (a known firmware bug).
    /// Only pass true where 0xFEFF is outside the field's valid range.
    /// </param>
    public static ValueStatus OfWord(ushort raw, bool acceptSwapped = false) => raw switch
    {
        0xFFFE => ValueStatus.Abnormal,
        0xFFFF => ValueStatus.Invalid,
        0xFEFF when acceptSwapped => ValueStatus.Abnormal,
        _ => ValueStatus.Valid,
    };

    public static ValueStatus OfDWord(uint raw) => raw switch
    {
        0xFFFFFFFE => ValueStatus.Abnormal,
        0xFFFFFFFF => ValueStatus.Invalid,
        _ => ValueStatus.Valid,
    };
}

/// <summary>
/// A field in engineering units: <c>raw * scale + offset</c>, or a sentinel status with no number. Decoders keep
/// the raw integer for exact re-encoding and expose this for consumers, so no sentinel ever becomes a number such
/// as 1766.97 °C.
/// </summary>
public readonly record struct Scaled(ValueStatus Status, double Value)
{
    public bool IsValid => Status == ValueStatus.Valid;

    /// <summary>The number, or null for a sentinel.</summary>
    public double? AsNullable => IsValid ? Value : null;

    public static Scaled FromByte(byte raw, double scale = 1, double offset = 0)
    {
        var status = Sentinel.OfByte(raw);
        return new Scaled(status, status == ValueStatus.Valid ? Compute(raw, scale, offset) : 0);
    }

    public static Scaled FromWord(ushort raw, double scale = 1, double offset = 0, bool acceptSwapped = false)
    {
        var status = Sentinel.OfWord(raw, acceptSwapped);
        return new Scaled(status, status == ValueStatus.Valid ? Compute(raw, scale, offset) : 0);
    }

    public static Scaled FromDWord(uint raw, double scale = 1, double offset = 0)
    {
        var status = Sentinel.OfDWord(raw);
        return new Scaled(status, status == ValueStatus.Valid ? Compute(raw, scale, offset) : 0);
    }

    /// <summary>
    /// raw * scale + offset, rounded to the decimals the scale and offset have, so the result is the number the terminal
    /// meant (0.1 * 3 = 0.3, and 30022 * 0.1 - 3000 = 2.2) without the binary noise a double product and sum leave.
    /// Double arithmetic with one rounding: decimal arithmetic gave the same results at many times the cost, and a
    /// realtime frame carries hundreds of values.
    /// </summary>
    private static double Compute(long raw, double scale, double offset) =>
        Compute(raw, scale, offset, Math.Max(DecimalDigits(scale), DecimalDigits(offset)));

    /// <summary><see cref="Compute(long, double, double)"/> with the decimal count already known (see <see cref="ScaleRule"/>).</summary>
    internal static double Compute(long raw, double scale, double offset, int digits)
    {
        double value = raw * scale + offset;
        if (digits == 0)
        {
            return value;
        }
        // Scale up, round to an integer, scale down: the division lands on the double nearest the intended decimal,
        // at a fraction of Math.Round(value, digits)'s cost.
        double power = PowersOfTen[digits];
        return Math.Round(value * power) / power;
    }

    private static ReadOnlySpan<double> PowersOfTen => [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];

    /// <summary>How many decimals a scale such as 0.1, 0.03125 or 1e-6 has (at most 12).</summary>
    internal static int DecimalDigits(double factor)
    {
        // The scales and offsets of both standards, answered without the loop (the J1939 ones too: a data-stream
        // item has a dozen of them, and the loop costs more than the rest of the arithmetic).
        switch (factor)
        {
            case 0 or 1 or -1 or -40 or -273 or -1000 or -2000 or -3000 or -20000 or -32000 or -125 or -200: return 0;
            case 0.1 or 0.4 or 0.5: return 1;
            case 0.01 or 0.05: return 2;
            case 0.001 or 0.125: return 3;
            case 0.03125: return 5;
            case 1e-6 or -1e-6: return 6;
            case 0.0000305: return 7;
            case 0.00390625: return 8;
        }
        return DecimalDigitsByLoop(factor);
    }

    /// <summary>The general rule the switch above short-cuts (a test holds the two to the same answers).</summary>
    internal static int DecimalDigitsByLoop(double factor)
    {
        factor = Math.Abs(factor);
        var powers = PowersOfTen;
        for (int d = 0; d < powers.Length; d++)
        {
            double shifted = factor * powers[d];
            if (Math.Abs(shifted - Math.Round(shifted)) <= 1e-9 * Math.Max(1, shifted))
            {
                return d;
            }
        }
        return powers.Length - 1;
    }

    public override string ToString() => Status switch
    {
        ValueStatus.Abnormal => "abnormal",
        ValueStatus.Invalid => "invalid",
        _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// One field's scale and offset with their decimal count worked out once, for code that converts many values of the
/// same field (cell voltages, the data-stream fields): the same numbers as <see cref="Scaled.FromWord"/> and
/// <see cref="Scaled.FromByte"/> with that scale and offset (the same computation), without looking the decimals up
/// per value.
/// </summary>
public readonly struct ScaleRule
{
    private readonly double _scale;
    private readonly double _offset;
    private readonly int _digits;

    public ScaleRule(double scale, double offset = 0)
    {
        _scale = scale;
        _offset = offset;
        _digits = Math.Max(Scaled.DecimalDigits(scale), Scaled.DecimalDigits(offset));
    }

    public Scaled FromByte(byte raw)
    {
        var status = Sentinel.OfByte(raw);
        return new Scaled(status, status == ValueStatus.Valid ? Scaled.Compute(raw, _scale, _offset, _digits) : 0);
    }

    public Scaled FromWord(ushort raw, bool acceptSwapped = false)
    {
        var status = Sentinel.OfWord(raw, acceptSwapped);
        return new Scaled(status, status == ValueStatus.Valid ? Scaled.Compute(raw, _scale, _offset, _digits) : 0);
    }

    public Scaled FromDWord(uint raw)
    {
        var status = Sentinel.OfDWord(raw);
        return new Scaled(status, status == ValueStatus.Valid ? Scaled.Compute(raw, _scale, _offset, _digits) : 0);
    }
}
