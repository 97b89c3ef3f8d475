namespace Ingest.Registry;

/// <summary>Where the vehicle registry is kept (section "Registry").</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>The registry's durable file. Default: <c>registry.json</c> in the spool folder (the node's data folder).</summary>
    public string? File { get; set; }

    public string ResolveFile(string spoolDirectory) =>
        string.IsNullOrWhiteSpace(File) ? Path.Combine(spoolDirectory, "registry.json") : File;
}
