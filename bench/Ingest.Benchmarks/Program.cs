using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Ingest.Benchmarks -- --filter '*'            (full run)
// dotnet run -c Release --project bench/Ingest.Benchmarks -- --filter '*' --job short (quick check)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
