using Microsoft.Extensions.Options;

namespace Ingest.Registry;

/// <summary>
/// Reads <see cref="RegistryOptions.ImportCsv"/> once at start, with the other option checks, so that a bad row
/// refuses the start in one line before anything runs (the import itself reads it again, see
/// <see cref="RegistryStartupImport"/>).
/// </summary>
public sealed class RegistryOptionsValidator : IValidateOptions<RegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, RegistryOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ImportCsv))
        {
            return ValidateOptionsResult.Success;
        }
        if (Check(options.ImportCsv) is { } problem)
        {
            return ValidateOptionsResult.Fail(problem);
        }
        return ValidateOptionsResult.Success;
    }

    /// <summary>The one-line reason a CSV cannot be imported; null when it can.</summary>
    internal static string? Check(string csv)
    {
        RegistryCsvResult result;
        try
        {
            result = RegistryCsv.Read(csv);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"{RegistryOptions.SectionName}:{nameof(RegistryOptions.ImportCsv)}: cannot read {csv}: {ex.Message}";
        }
        if (result.IsValid)
        {
            return null;
        }
        var more = result.Errors.Count > 1 ? $" (and {result.Errors.Count - 1} more bad rows; 'ingest registry import' lists them)" : "";
        return $"{RegistryOptions.SectionName}:{nameof(RegistryOptions.ImportCsv)}: {result.Errors[0]}{more}";
    }
}
