using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Ingest.Benchmarks -- --filter '*'              (full run, default job)
// dotnet run -c Release --project bench/Ingest.Benchmarks -- --filter '*' --job short  (quick check)
// bench/run-micro.sh [short|full|codec]                                                 (wrapper; prints where results are)
BenchmarkSwitcher.FromAssembly(typeof(Ingest.Benchmarks.BenchFrames).Assembly).Run(args);
