using BenchmarkDotNet.Attributes;
using Ingest.Benchmarks.Before;
using Ingest.Hosting;
using Ingest.Projection;
using Ingest.Sinks.Redis;
using Ingest.Spool;
using Ingest.Tests.Projection;
using Microsoft.Extensions.Options;

namespace Ingest.Benchmarks;

/// <summary>
/// What the Redis state sink spends per spool record building its update, three generations in one run:
/// <c>DecodeAndRecordCopies</c> (the projection before issue 7: a full decode, LINQ and one record copy per
/// <c>with</c>, kept in the tests as the oracle), <c>WalkersToRecord</c> (baseline: one walk into a
/// <see cref="VehicleState"/> object with the VIN as a string, <see cref="VehicleStateProjectorBefore"/>) and
/// <c>WalkersToValue</c> (<see cref="VehicleStateProjector"/>: one walk into a reused <see cref="StateUpdate"/>, VIN as
/// bytes; issue 7 asks at most 1 µs and 0 B). Same records as <see cref="ClickHouseRowBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class VehicleStateBenchmarks
{
    private static readonly IOptions<IngestOptions> Options =
        Microsoft.Extensions.Options.Options.Create(new IngestOptions { NodeName = "bench" });

    private readonly VehicleStateProjector _projector = new(Options);
    private readonly VehicleStateProjectorBefore _before = new(Options);
    private readonly ReferenceStateProjector _reference = new(Options);
    private SpoolRecord _record;
    private StateUpdate _update;

    [Params("Gb2016_96cells_32probes", "Gb2025_96cells_32probes", "Hj1239_10items", "Gb17691_10items")]
    public string Record { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _record = ClickHouseRowBenchmarks.BuildRecord(Record);
        // The three must agree on these records, or the comparison measures nothing.
        var expected = _reference.Project(_record);
        if (expected is null || expected != _before.Project(_record) || !_projector.TryProject(_record, out var update) || expected != update.ToVehicleState())
        {
            throw new InvalidOperationException($"{Record}: the projections disagree or give no update.");
        }
    }

    [Benchmark]
    public object? DecodeAndRecordCopies() => _reference.Project(_record);

    [Benchmark(Baseline = true)]
    public object? WalkersToRecord() => _before.Project(_record);

    [Benchmark]
    public bool WalkersToValue() => _projector.TryProject(_record, out _update);
}
