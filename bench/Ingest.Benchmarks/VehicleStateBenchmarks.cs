using BenchmarkDotNet.Attributes;
using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Spool;
using Ingest.Tests.Projection;
using Microsoft.Extensions.Options;

namespace Ingest.Benchmarks;

/// <summary>
/// What the Redis state sink spends per spool record building its update, old path against new in one run:
/// <c>DecodeAndRecordCopies</c> (baseline: the projection before issue 7, a full decode, LINQ and one record copy per
/// <c>with</c>, kept in the tests as the oracle) and <c>WalkersOnePass</c> (<see cref="VehicleStateProjector"/>: one
/// walk, one <see cref="Sinks.Redis.VehicleState"/>). The update type is the store's, a class holding the VIN as a
/// string, so the new path still allocates that object and its VIN (issue 7 asks 0 B; that needs a change to the
/// store's type, which is another room's). Same records as <see cref="ClickHouseRowBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class VehicleStateBenchmarks
{
    private static readonly IOptions<IngestOptions> Options =
        Microsoft.Extensions.Options.Options.Create(new IngestOptions { NodeName = "bench" });

    private readonly VehicleStateProjector _projector = new(Options);
    private readonly ReferenceStateProjector _reference = new(Options);
    private SpoolRecord _record;

    [Params("Gb2016_96cells_32probes", "Gb2025_96cells_32probes", "Hj1239_10items", "Gb17691_10items")]
    public string Record { get; set; } = "";

    [GlobalSetup]
    public void Setup() => _record = ClickHouseRowBenchmarks.BuildRecord(Record);

    [Benchmark(Baseline = true)]
    public object? DecodeAndRecordCopies() => _reference.Project(_record);

    [Benchmark]
    public object? WalkersOnePass() => _projector.Project(_record);
}
