using Ingest.Protocol.Gb32960.InfoUnits;
using Microsoft.Extensions.Options;

namespace Ingest.AlarmEvents;

/// <summary>
/// The "Alarms" section: which frame contents become alarm events, where the events go (ClickHouse table
/// <c>alarm_events</c> and a Redis stream when those are configured, webhooks), and the silence timer.
/// </summary>
public sealed class AlarmOptions
{
    public const string SectionName = "Alarms";

    /// <summary>Runs the alarm detector (spool cursor <c>alarms</c>) and its deliveries. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Folder of the detector's state snapshot and of the event outbox (a spool of its own, one cursor per
    /// destination). Default: the spool folder's sibling <c>{Spool:Directory}-alarms</c>.
    /// </summary>
    public string Directory { get; set; } = "";

    /// <summary>A GB/T 32960 alarm unit whose highest level becomes 3 starts an event; a lower level ends it. Default true.</summary>
    public bool Level3 { get; set; } = true;

    /// <summary>
    /// GB/T 32960 general alarm flags (table 18; 2025 adds bits 19-27) that become events while set: flag names as in
    /// the state API (<c>insulation</c>, <c>battery_high_temperature</c> ...), bit numbers (0-31), or <c>*</c> for
    /// every bit. Default <c>*</c>; empty turns flag events off.
    /// </summary>
    public List<string> GeneralFlags { get; set; } = ["*"];

    /// <summary>An HJ 1239 / GB 17691 OBD item whose MIL turns on starts an event; MIL off ends it. Default true.</summary>
    public bool Mil { get; set; } = true;

    /// <summary>A diagnostic trouble code that appears in an OBD item starts an event; its absence from a later valid list ends it. Default true.</summary>
    public bool Dtc { get; set; } = true;

    /// <summary>
    /// A vehicle that sent a frame and did not log out, then sent nothing for this long, starts a silence event; its
    /// next frame ends it. Default 2 min (GB/T 32960 asks for a report at least every 30 s); 0 turns it off.
    /// </summary>
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How often the detector's state is written to disk at most, default 2 s (0.1 s .. 1 min). The detector's spool
    /// cursor only moves with a snapshot, so a restart resumes exactly where the state was saved.
    /// </summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Most bytes the event outbox may take on disk, default 256 MiB (about a million events).</summary>
    public long OutboxBudgetBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Events kept in memory for <c>GET /alarms/recent</c>, default 1,000.</summary>
    public int RecentEvents { get; set; } = 1_000;

    /// <summary>Redis stream the events are added to, under <c>Redis:KeyPrefix</c> (<c>{prefix}:alarms</c>), when Redis is configured.</summary>
    public string RedisStream { get; set; } = "alarms";

    /// <summary>Approximate length the Redis stream is trimmed to, default 100,000.</summary>
    public int RedisStreamMaxLength { get; set; } = 100_000;

    /// <summary>First delay after a failed delivery (webhook, ClickHouse, Redis); doubled per failure, with jitter. Default 200 ms.</summary>
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between delivery attempts. Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Receivers of every event: an HTTP POST per event phase, signed with the webhook's secret.</summary>
    public List<AlarmWebhookOptions> Webhooks { get; set; } = [];

    /// <summary>The folder this node uses: <see cref="Directory"/>, or the spool folder's sibling.</summary>
    public string ResolveDirectory(string spoolDirectory) =>
        Directory.Length > 0 ? Directory : Path.TrimEndingDirectorySeparator(Path.GetFullPath(spoolDirectory)) + "-alarms";

    /// <summary>The general-flag bits that become events (all 32 for <c>*</c>).</summary>
    public uint GeneralFlagMask()
    {
        uint mask = 0;
        foreach (var entry in GeneralFlags)
        {
            mask |= AlarmFlagNames.TryParse(entry, out uint bits) ? bits : 0;
        }
        return mask;
    }
}

/// <summary>One webhook receiver (Alarms:Webhooks:N).</summary>
public sealed class AlarmWebhookOptions
{
    /// <summary>Short name, also its outbox cursor (<c>alarms-webhook-{name}</c>): letters, digits, '-' and '_'. Required.</summary>
    public string Name { get; set; } = "";

    /// <summary>Absolute http or https URL the events are POSTed to. Required.</summary>
    public string Url { get; set; } = "";

    /// <summary>HMAC-SHA256 key the body is signed with (header <c>X-Alarm-Signature: sha256=hex</c>); at least 16 characters. Required.</summary>
    public string Secret { get; set; } = "";

    /// <summary>How long one POST may take before it counts as failed, default 5 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>General alarm flag names, parsed from configuration.</summary>
internal static class AlarmFlagNames
{
    public static bool TryParse(string entry, out uint bits)
    {
        bits = 0;
        var text = entry.Trim();
        if (text == "*")
        {
            bits = uint.MaxValue;
            return true;
        }
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int bit))
        {
            if (bit is < 0 or > 31)
            {
                return false;
            }
            bits = 1u << bit;
            return true;
        }
        for (int i = 0; i < 32; i++)
        {
            if (string.Equals(NameOf(i), text, StringComparison.OrdinalIgnoreCase))
            {
                bits = 1u << i;
                return true;
            }
        }
        return false;
    }

    /// <summary>The snake-case name of general flag bit <paramref name="bit"/> (<c>insulation</c>), or <c>bit_N</c>.</summary>
    public static string NameOf(int bit) =>
        Ingest.Protocol.Gb32960.InfoUnits.StateNames.Of((Gb32960GeneralAlarms)(1u << bit)) ?? "bit_" + bit.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Checks the section at start, naming the key of each problem.</summary>
public sealed class AlarmOptionsValidator : IValidateOptions<AlarmOptions>
{
    public ValidateOptionsResult Validate(string? name, AlarmOptions options)
    {
        var failures = new List<string>();
        const string S = AlarmOptions.SectionName;
        foreach (var entry in options.GeneralFlags)
        {
            if (!AlarmFlagNames.TryParse(entry, out _))
            {
                failures.Add($"{S}:GeneralFlags: '{entry}' is not a general alarm flag name, a bit number 0-31 or '*'.");
            }
        }
        if (options.SilenceTimeout < TimeSpan.Zero)
        {
            failures.Add($"{S}:SilenceTimeout must not be negative (0 turns silence events off).");
        }
        if (options.SnapshotInterval < TimeSpan.FromMilliseconds(100) || options.SnapshotInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{S}:SnapshotInterval must be between 100 ms and 1 min.");
        }
        if (options.OutboxBudgetBytes < 1024 * 1024)
        {
            failures.Add($"{S}:OutboxBudgetBytes must be at least 1 MiB.");
        }
        if (options.RecentEvents is < 0 or > 100_000)
        {
            failures.Add($"{S}:RecentEvents must be between 0 and 100000.");
        }
        if (string.IsNullOrWhiteSpace(options.RedisStream))
        {
            failures.Add($"{S}:RedisStream must not be empty.");
        }
        if (options.RedisStreamMaxLength < 1)
        {
            failures.Add($"{S}:RedisStreamMaxLength must be at least 1.");
        }
        if (options.MinRetryDelay <= TimeSpan.Zero || options.MinRetryDelay > options.MaxRetryDelay)
        {
            failures.Add($"{S}:MinRetryDelay must be positive and not exceed MaxRetryDelay.");
        }
        for (int i = 0; i < options.Webhooks.Count; i++)
        {
            var hook = options.Webhooks[i];
            var key = $"{S}:Webhooks:{i}";
            if (hook.Name.Length is 0 or > 40 || !hook.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                failures.Add($"{key}:Name must be 1-40 letters, digits, '-' or '_' (it names the webhook's outbox cursor).");
            }
            if (!Uri.TryCreate(hook.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                failures.Add($"{key}:Url must be an absolute http or https URL, not '{hook.Url}'.");
            }
            if (hook.Secret.Length < 16)
            {
                failures.Add($"{key}:Secret must be at least 16 characters (it keys the HMAC-SHA256 signature).");
            }
            if (hook.Timeout <= TimeSpan.Zero || hook.Timeout > TimeSpan.FromMinutes(5))
            {
                failures.Add($"{key}:Timeout must be between 0 and 5 min.");
            }
        }
        var duplicates = options.Webhooks.GroupBy(h => h.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            failures.Add($"{S}:Webhooks: names must be unique (each is an outbox cursor): {string.Join(", ", duplicates)}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
