namespace Ingest.Registry;

/// <summary>Where the vehicle registry is kept (section "Registry").</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>The registry's durable file. Default: <c>registry.json</c> in the spool folder (the node's data folder).</summary>
    public string? File { get; set; }

    /// <summary>
    /// A CSV of filings (see <see cref="RegistryCsv"/>) merged into the registry at every start: its vehicles are
    /// added or replaced, vehicles not in it are kept. A bad row stops the start with one line naming file, line and
    /// column. Default: none.
    /// </summary>
    public string? ImportCsv { get; set; }

    public string ResolveFile(string spoolDirectory) =>
        string.IsNullOrWhiteSpace(File) ? Path.Combine(spoolDirectory, "registry.json") : File;
}
