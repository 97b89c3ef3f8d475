using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Ingest.Downlink;

/// <summary>Downlink commands (<c>POST /vehicles/{vin}/commands</c>), bound from the <c>Commands</c> section.</summary>
public sealed class CommandOptions : IValidatableObject
{
    public const string SectionName = "Commands";

    /// <summary>
    /// How long a command waits for the terminal's answer when the request names no <c>timeout_s</c>. Default 30 s
    /// (terminals answer within their own response timeout, parameter 0x0A, typically 10-60 s).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan ReplyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait a request may ask for with <c>timeout_s</c>; a longer one is a 400. Default 120 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan MaxReplyTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// What an HJ 1239 parameter query (0x80) carries. No source seen defines its data unit (digest §3.3 says only
    /// "terminal answers with time"), so this is a hypothesis to match to the terminals in service:
    /// <c>TimeOnly</c> (default) sends the platform time; <c>TimeAndIds</c> sends time, count and parameter ids as
    /// GB/T 32960 does.
    /// </summary>
    public Hj1239QueryLayout Hj1239QueryLayout { get; set; } = Hj1239QueryLayout.TimeOnly;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReplyTimeout > MaxReplyTimeout)
        {
            yield return new ValidationResult(
                $"Commands:ReplyTimeout ({ReplyTimeout}) is longer than Commands:MaxReplyTimeout ({MaxReplyTimeout}).", [nameof(ReplyTimeout)]);
        }
    }
}

/// <summary>The data unit of an HJ 1239 parameter query (see <see cref="CommandOptions.Hj1239QueryLayout"/>).</summary>
public enum Hj1239QueryLayout
{
    /// <summary>The platform time (6 bytes) and nothing else; a query names no parameters.</summary>
    TimeOnly,

    /// <summary>Time, count BYTE and the parameter ids, the GB/T 32960 layout.</summary>
    TimeAndIds,
}

[OptionsValidator]
public sealed partial class CommandOptionsValidator : IValidateOptions<CommandOptions>
{
}
