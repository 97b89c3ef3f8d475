using System.Globalization;

namespace Ingest.Sinks.ClickHouse;

/// <summary>
/// The server version read at start-up (<c>SELECT version()</c>). The sink keeps one code path that works from 18.16
/// (what Debian 12 ships) to current releases; the properties below say which newer features that path leaves out, so
/// logs and the README can tell an operator what a newer server would add.
/// </summary>
public readonly record struct ClickHouseServerVersion(int Major, int Minor, int Patch)
{
    /// <summary>The oldest server the schema and the HTTP usage were tested against.</summary>
    public static ClickHouseServerVersion OldestSupported { get; } = new(18, 16, 0);

    public bool IsSupported => CompareTo(OldestSupported) >= 0;

    /// <summary><c>LowCardinality(String)</c> without the experimental flag (about 19.9). Not used: protocol is an Enum8.</summary>
    public bool HasLowCardinality => AtLeast(19, 9);

    /// <summary>Column <c>CODEC(...)</c> and table <c>TTL</c> (about 19.10). Not used: retention is DROP PARTITION.</summary>
    public bool HasCodecsAndTtl => AtLeast(19, 10);

    /// <summary><c>ALTER TABLE ... ADD COLUMN IF NOT EXISTS</c> (19.x; 18.16 rejects it). Not used: migrations read system.columns.</summary>
    public bool HasAddColumnIfNotExists => AtLeast(19, 1);

    /// <summary>Server-side query parameters <c>{name:Type}</c> (about 19.14; 18.16 rejects them). Not used: values are escaped literals.</summary>
    public bool HasQueryParameters => AtLeast(19, 14);

    /// <summary><c>DateTime64</c> (20.1). Not used: times are whole seconds, as both protocols send them.</summary>
    public bool HasDateTime64 => AtLeast(20, 1);

    /// <summary><c>insert_deduplication_token</c> (22.2). Not needed: the ReplacingMergeTree key makes retries idempotent.</summary>
    public bool HasInsertDeduplicationToken => AtLeast(22, 2);

    public bool AtLeast(int major, int minor) => Major > major || (Major == major && Minor >= minor);

    public int CompareTo(ClickHouseServerVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major)
        : Minor != other.Minor ? Minor.CompareTo(other.Minor)
        : Patch.CompareTo(other.Patch);

    /// <summary>Parses <c>18.16.1</c> or <c>24.8.4.13</c> (extra parts are ignored).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ClickHouseServerVersion version)
    {
        version = default;
        Span<int> parts = stackalloc int[3];
        int count = 0;
        foreach (var range in text.Trim().Split('.'))
        {
            if (count == 3)
            {
                break;
            }
            if (!int.TryParse(text.Trim()[range], NumberStyles.None, CultureInfo.InvariantCulture, out parts[count]))
            {
                return false;
            }
            count++;
        }
        if (count < 2)
        {
            return false;
        }
        version = new ClickHouseServerVersion(parts[0], parts[1], count == 3 ? parts[2] : 0);
        return true;
    }

    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}
