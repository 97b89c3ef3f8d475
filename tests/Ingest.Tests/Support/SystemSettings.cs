using Ingest.Tests.Infrastructure;

namespace Ingest.Tests.Support;

/// <summary>
/// Configuration for a whole server in the system tests: both terminal ports on loopback (GB/T 32960 and HJ 1239, as
/// the shipped appsettings.json has them, but on ephemeral or given ports), a node name of the test's own, and
/// storage only where the test asks for it. Redis and ClickHouse are switched off explicitly otherwise, so that the
/// INGEST_* variables of a developer's shell do not send a test's frames to the shared database.
/// </summary>
public static class SystemSettings
{
    public static Dictionary<string, string?> For(string node, ClickHouseTestDatabase? clickHouse = null, RedisTestStore? redis = null,
        int gbPort = 0, int hjPort = 0, string? httpUrl = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Ingest:NodeName"] = node,
            ["Ingest:Listeners:0:Name"] = "gb32960",
            ["Ingest:Listeners:0:Address"] = "127.0.0.1",
            ["Ingest:Listeners:0:Port"] = gbPort.ToString(),
            ["Ingest:Listeners:0:Protocol"] = "Gb32960",
            ["Ingest:Listeners:1:Name"] = "hj1239",
            ["Ingest:Listeners:1:Address"] = "127.0.0.1",
            ["Ingest:Listeners:1:Port"] = hjPort.ToString(),
            ["Ingest:Listeners:1:Protocol"] = "Hj1239",
            ["Ingest:Admission"] = "Open", // the system tests' fleets make up VINs
            ["ClickHouse:Endpoint"] = "",
            ["Redis:Endpoint"] = "",
        };
        if (httpUrl is not null)
        {
            settings["Ingest:HttpUrl"] = httpUrl;
        }
        if (clickHouse is not null)
        {
            var o = clickHouse.Options;
            settings["ClickHouse:Endpoint"] = o.Endpoint;
            settings["ClickHouse:Database"] = o.Database;
            settings["ClickHouse:User"] = o.User;
            settings["ClickHouse:Password"] = o.Password;
            settings["ClickHouse:FlushInterval"] = "00:00:00.100";
            settings["ClickHouse:MinRetryDelay"] = "00:00:00.050";
            settings["ClickHouse:MaxRetryDelay"] = "00:00:00.500";
            settings["ClickHouse:RequestTimeout"] = "00:00:05";
        }
        if (redis is not null)
        {
            settings["Redis:Endpoint"] = redis.Options.Endpoint;
            settings["Redis:KeyPrefix"] = redis.Options.KeyPrefix;
            settings["Redis:MinRetryDelay"] = "00:00:00.050";
            settings["Redis:MaxRetryDelay"] = "00:00:00.500";
        }
        return settings;
    }

    /// <summary>A node name no other test or run uses (frames_raw rows are keyed on node and spool offset).</summary>
    public static string UniqueNode(string what) => $"{what}-{Guid.NewGuid():N}"[..(what.Length + 9)];
}
