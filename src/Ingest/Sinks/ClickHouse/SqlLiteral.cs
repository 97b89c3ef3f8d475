using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ingest.Sinks.ClickHouse;

/// <summary>
/// SQL text for values. ClickHouse 18.16 has no server-side query parameters (<c>{v:String}</c>), so every value that
/// reaches SQL goes through here: strings are quoted and escaped, identifiers are checked and back-quoted, times are
/// sent as unix seconds.
/// </summary>
public static partial class SqlLiteral
{
    /// <summary>What a database, table or cluster name may look like.</summary>
    public const string IdentifierPattern = "^[A-Za-z_][A-Za-z0-9_]{0,63}$";

    /// <summary>
    /// A single-quoted string literal: backslash and quote are escaped, control characters become <c>\xHH</c>,
    /// everything else is kept (ClickHouse reads the bytes as UTF-8).
    /// </summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '\'': text.Append(@"\'"); break;
                case < ' ' or '\x7f': text.Append(@"\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture)); break;
                default: text.Append(c); break;
            }
        }
        return text.Append('\'').ToString();
    }

    /// <summary>A back-quoted identifier; throws for names outside <see cref="IdentifierPattern"/>.</summary>
    public static string Identifier(string name)
    {
        if (!IdentifierRegex().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a plain identifier ({IdentifierPattern}).", nameof(name));
        }
        return "`" + name + "`";
    }

    /// <summary><c>toDateTime(unix seconds)</c>: independent of the server's time zone.</summary>
    public static string DateTime(DateTimeOffset value) =>
        "toDateTime(" + value.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + ")";

    [GeneratedRegex(IdentifierPattern)]
    private static partial Regex IdentifierRegex();
}
