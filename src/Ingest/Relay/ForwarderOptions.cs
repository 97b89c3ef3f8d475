using System.ComponentModel.DataAnnotations;
using Ingest.Forwarder.Links;
using Microsoft.Extensions.Options;

namespace Ingest.Relay;

/// <summary>The "Forwarder" section: superior platforms this node relays to. Empty means no relaying.</summary>
public sealed class ForwarderOptions
{
    public const string Section = "Forwarder";

    public List<PlatformLinkOptions> Links { get; set; } = [];
}

/// <summary>Checks every link at start, naming the key of each problem (Forwarder:Links:0:Username ...).</summary>
public sealed class ForwarderOptionsValidator : IValidateOptions<ForwarderOptions>
{
    public ValidateOptionsResult Validate(string? name, ForwarderOptions options)
    {
        var failures = new List<string>();
        for (int i = 0; i < options.Links.Count; i++)
        {
            var link = options.Links[i];
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(link, new ValidationContext(link), results, validateAllProperties: true);
            foreach (var result in results)
            {
                failures.Add($"{ForwarderOptions.Section}:Links:{i}:{string.Join(",", result.MemberNames)}: {result.ErrorMessage}");
            }
            if (link.MinReconnectDelay > link.MaxReconnectDelay)
            {
                failures.Add($"{ForwarderOptions.Section}:Links:{i}:MinReconnectDelay must not exceed MaxReconnectDelay.");
            }
            foreach (var (key, value) in new[] { ("Username", link.Username), ("Password", link.Password), ("PlatformCode", link.PlatformCode) })
            {
                if (value.Any(c => c > 0x7F))
                {
                    failures.Add($"{ForwarderOptions.Section}:Links:{i}:{key}: only ASCII characters fit the platform login.");
                }
            }
        }
        var duplicates = options.Links.GroupBy(l => l.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            failures.Add($"{ForwarderOptions.Section}:Links: names must be unique (each is a spool cursor): {string.Join(", ", duplicates)}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
