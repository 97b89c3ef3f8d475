using Ingest.Protocol.Primitives;

namespace Ingest.Projection;

/// <summary>Frame times as ClickHouse stores them.</summary>
internal static class StoredTime
{
    /// <summary>A GB time as an instant ClickHouse's DateTime can hold (1970-2105), else null.</summary>
    public static DateTimeOffset? Of(GbTime time) =>
        time.TryToDateTimeOffset(out var value) && value.Year < 2106 ? value : null;
}
