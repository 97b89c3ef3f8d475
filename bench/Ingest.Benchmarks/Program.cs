using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Ingest.Benchmarks -- --filter '*'              (full run, default job)
// dotnet run -c Release --project bench/Ingest.Benchmarks -- --filter '*' --job short  (quick check)
// bench/run-micro.sh [short|full|codec|spool]                                          (wrapper; prints where results are)
// dotnet run -c Release --project bench/Ingest.Benchmarks -- redis-cpu ENDPOINT [updates] [rounds]  (bench/redis-cpu.sh)
// dotnet run -c Release --project bench/Ingest.Benchmarks -- signature-cpu                         (CPU per SM2 check)
//
// Median and Op/s are always shown: RESULTS.md quotes the median, and Op/s is frames (or appends, records) per second.
if (args is ["redis-cpu", .. var rest])
{
    return await Ingest.Benchmarks.RedisCpu.RedisCpuRun.RunAsync(rest);
}
if (args is ["signature-cpu"])
{
    Ingest.Benchmarks.SignatureBenchmarks.PrintCpuCost();
    return 0;
}
var config = DefaultConfig.Instance.AddColumn(StatisticColumn.Median, StatisticColumn.OperationsPerSecond);
BenchmarkSwitcher.FromAssembly(typeof(Ingest.Benchmarks.BenchFrames).Assembly).Run(args, config);
return 0;
