namespace Ingest.Tests.SystemTests;

/// <summary>
/// Tests that compare totals on /metrics run alone: the OpenTelemetry exporter listens to every meter of its name in
/// the process, so hosts of tests running at the same time (each with its own IMeterFactory) would add to the totals.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMetrics
{
    public const string Name = "process-wide metrics";
}
